# Reference values for prognosis.models (CoxModel) from R survival::coxph (Efron ties).
# Run from the repo root:  Rscript tests/reference/make_reference_models.R
# Writes tests/reference/models_veteran.csv (the public VA lung cancer trial data shipped with the
# R survival package; Kalbfleisch & Prentice 1980) and tests/reference/models_reference.json.
# Tests read the committed files, so CI needs no R.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
out_dir <- "tests/reference"
d <- survival::veteran
# time in days -> months (schema: days / 30.4375) so Python and R fit on identical numbers
d$time_months <- d$time / 30.4375
d$event <- d$status
d$trt2 <- as.integer(d$trt == 2)
d$squamous <- as.integer(d$celltype == "squamous")
d$smallcell <- as.integer(d$celltype == "smallcell")
d$adeno <- as.integer(d$celltype == "adeno")
d$prior10 <- as.integer(d$prior == 10)
cols <- c("time_months", "event", "trt2", "karno", "diagtime", "age", "prior10",
          "squamous", "smallcell", "adeno")
write.csv(d[, cols], file.path(out_dir, "models_veteran.csv"), row.names = FALSE)

covs <- c("trt2", "karno", "diagtime", "age", "prior10", "squamous", "smallcell", "adeno")
f <- as.formula(paste("Surv(time_months, event) ~", paste(covs, collapse = " + ")))
fit <- coxph(f, data = d, ties = "efron")
# survival curve for two new profiles; survfit.coxph with efron ties uses the Efron-adjusted
# baseline hazard (ctype = 2)
newd <- data.frame(trt2 = c(0, 1), karno = c(60, 80), diagtime = c(5, 10), age = c(60, 70),
                   prior10 = c(0, 1), squamous = c(0, 1), smallcell = c(1, 0), adeno = c(0, 0))
sf <- survfit(fit, newdata = newd)
times <- c(0.5, 1, 3, 6, 12)
ss <- summary(sf, times = times)
# Strata by celltype (4 levels)
d$cellf <- d$celltype
fit_s <- coxph(Surv(time_months, event) ~ trt2 + karno + age + strata(cellf), data = d, ties = "efron")
# Ridge: coxph's ridge() penalises theta/2 * sum(beta^2). lifelines (and prognosis) penalise
# coefficients of covariates standardised by mean and sd (n - 1), so fit R on standardised
# columns and back-transform: beta = beta_std / sd.
z <- as.data.frame(scale(d[, covs]))
sds <- sapply(d[, covs], sd)
z$time_months <- d$time_months; z$event <- d$event
fit_r <- coxph(Surv(time_months, event) ~ ridge(trt2, karno, diagtime, age, prior10,
          squamous, smallcell, adeno, theta = 2, scale = FALSE), data = z, ties = "efron")
zph <- cox.zph(fit, transform = "rank", terms = FALSE)
res <- list(
  source = "R survival::coxph, survival::veteran",
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  covariates = covs,
  coef = as.list(coef(fit)),
  se = as.list(sqrt(diag(vcov(fit)))),
  loglik = fit$loglik[2],
  concordance = unname(fit$concordance["concordance"]),
  newdata = newd,
  surv_times = times,
  surv = lapply(seq_len(nrow(newd)), function(i) unname(ss$surv[, i])),
  # 95% pointwise intervals, survfit default conf.type = "log" (Tsiatis variance incl. coefficients)
  surv_lower = lapply(seq_len(nrow(newd)), function(i) unname(ss$lower[, i])),
  surv_upper = lapply(seq_len(nrow(newd)), function(i) unname(ss$upper[, i])),
  strata_coef = as.list(coef(fit_s)),
  ridge_theta = 2,
  ridge_coef = setNames(as.list(unname(coef(fit_r)) / unname(sds)), covs),
  zph_rank_p = as.list(zph$table[, "p"])
)
write(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(out_dir, "models_reference.json"))
cat("wrote", file.path(out_dir, "models_reference.json"), "\n")
