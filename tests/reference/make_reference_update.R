# Reference values for prognosis.models.update from R survival::coxph with offsets (Efron ties).
# Run from the repo root:  Rscript tests/reference/make_reference_update.R
# Reads tests/reference/models_veteran.csv (VA lung cancer trial, see make_reference_models.R).
# "Development" = standard-treatment arm (trt2 == 0), "new cohort" = test arm (trt2 == 1).
suppressPackageStartupMessages({library(survival); library(jsonlite)})
out_dir <- "tests/reference"
d <- read.csv(file.path(out_dir, "models_veteran.csv"))
covs <- c("karno", "diagtime", "age", "prior10", "squamous", "smallcell", "adeno")
dev <- d[d$trt2 == 0, ]
new <- d[d$trt2 == 1, ]
f <- as.formula(paste("Surv(time_months, event) ~", paste(covs, collapse = " + ")))
fit0 <- coxph(f, data = dev, ties = "efron")
new$lp <- predict(fit0, newdata = new, type = "lp")        # centred at the development means
prof <- new[c(1, 10, 40), ]
times <- c(1, 3, 6, 12)
surv_at <- function(fit, nd) { s <- summary(survfit(fit, newdata = nd), times = times); unname(t(s$surv)) }

m1 <- coxph(Surv(time_months, event) ~ offset(lp), data = new, ties = "efron")
# survfit() of an offset-only model does not take newdata rows; the same model as lp with its
# coefficient held at 1 (no iterations) gives the curves
m1s <- coxph(Surv(time_months, event) ~ lp, data = new, ties = "efron", init = 1,
             control = coxph.control(iter.max = 0))
m2 <- coxph(Surv(time_months, event) ~ lp, data = new, ties = "efron")
m3 <- coxph(Surv(time_months, event) ~ karno + offset(lp), data = new, ties = "efron")
m4 <- coxph(f, data = new, ties = "efron")
# expected deaths under the original model, follow-up censored at the development's last time
bh <- basehaz(fit0, centered = TRUE)
tau <- max(dev$time_months)
tt <- pmin(new$time_months, tau)
H0 <- sapply(tt, function(t) { i <- which(bh$time <= t); if (length(i)) bh$hazard[max(i)] else 0 })
E <- sum(H0 * exp(new$lp))
O <- sum(new$event[new$time_months <= tau])
res <- list(
  dev_coef = unname(coef(fit0)),
  loglik_intercept = m1$loglik[1],
  slope = unname(coef(m2)), slope_se = unname(sqrt(diag(vcov(m2)))), loglik_slope = m2$loglik[2],
  revision_karno = unname(coef(m3)), loglik_revision_karno = m3$loglik[2],
  refit_coef = unname(coef(m4)), loglik_refit = m4$loglik[2],
  observed = O, expected = E,
  times = times, profile_rows = c(1, 10, 40),
  surv_intercept = surv_at(m1s, prof), surv_slope = surv_at(m2, prof), surv_refit = surv_at(m4, prof)
)
write(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(out_dir, "update_reference.json"))
cat("wrote", file.path(out_dir, "update_reference.json"), "\n")
