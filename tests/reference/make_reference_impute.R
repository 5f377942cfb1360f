# Reference values for prognosis.impute (pool, MultipleImputer + pooled Cox) from R mice.
# Run from the repo root:  Rscript tests/reference/make_reference_impute.R
# Writes tests/reference/impute_lung.csv (NCCTG lung cancer data shipped with the R survival
# package, Loprinzi et al., J Clin Oncol 1994; public) and tests/reference/impute_reference.json.
# Tests read the committed files, so CI needs no R.
#
# Imputation model (both here and in the Python test): predictive mean matching (mice "pmm",
# 5 donors, type-1 matching) for every incomplete variable, each imputation model using all
# other covariates plus the event indicator and the Nelson-Aalen cumulative hazard at the
# patient's time (White & Royston, Stat Med 2009;28:1982), not time itself; m = 50, maxit = 20.
# The analysis model is coxph (Efron ties) on the seven covariates; pooled with Rubin's rules.
#
# Monte-Carlo error: the pooled estimates of one mice run are random. The script repeats the
# whole mice + pool analysis with n_rep different seeds and stores the mean and the standard
# deviation over the runs of every pooled coefficient and SE; a Python run agrees with R when
# its difference from the mean of the R runs is within 4 * sd * sqrt(1 + 1/n_rep) (the sd of
# the difference between one more independent run and the mean of n_rep runs).
suppressPackageStartupMessages({library(survival); library(mice); library(jsonlite)})
out_dir <- "tests/reference"
d <- survival::lung
d <- data.frame(time = d$time, event = as.integer(d$status == 2), age = d$age, sex = d$sex,
                ph_ecog = d$ph.ecog, ph_karno = d$ph.karno, pat_karno = d$pat.karno,
                meal_cal = d$meal.cal, wt_loss = d$wt.loss)
write.csv(d, file.path(out_dir, "impute_lung.csv"), row.names = FALSE, na = "")
covs <- c("age", "sex", "ph_ecog", "ph_karno", "pat_karno", "meal_cal", "wt_loss")
f <- as.formula(paste("Surv(time, event) ~", paste(covs, collapse = " + ")))

d$H <- nelsonaalen(d, time, event)
ini <- mice(d, maxit = 0, printFlag = FALSE)
pred <- ini$predictorMatrix
pred[, "time"] <- 0          # time enters through H (White & Royston 2009)
meth <- ini$method
meth[meth != ""] <- "pmm"
run_mi <- function(seed, m = 50) {
  imp <- mice(d, m = m, maxit = 20, method = meth, predictorMatrix = pred, seed = seed, printFlag = FALSE)
  fit <- as.mira(lapply(seq_len(m), function(i) coxph(f, data = complete(imp, i), ties = "efron")))
  list(imp = imp, fit = fit)
}
first <- run_mi(20261130)
fits <- getfit(first$fit)
est <- t(sapply(fits, coef))
var <- t(sapply(fits, function(x) diag(vcov(x))))
p_inf <- summary(pool(first$fit, dfcom = Inf), conf.int = TRUE)
p_def <- summary(pool(first$fit), conf.int = TRUE)  # dfcom = nevent - p for coxph
pp_def <- pool(first$fit)$pooled
tidy_pool <- function(s, pp) list(term = as.character(s$term), estimate = s$estimate, se = s$std.error,
                                 df = s$df, lower = s[["2.5 %"]], upper = s[["97.5 %"]], p = s$p.value,
                                 fmi = pp$fmi, riv = pp$riv, lambda = pp$lambda, ubar = pp$ubar, b = pp$b,
                                 dfcom = pp$dfcom[1])

n_rep <- 20
reps <- lapply(seq_len(n_rep), function(r) {
  s <- summary(pool(run_mi(1000 + r)$fit, dfcom = Inf))
  c(s$estimate, s$std.error)
})
reps <- do.call(rbind, reps)
p <- length(covs)
cc <- coxph(f, data = d, ties = "efron")
out <- list(
  mice_version = as.character(packageVersion("mice")),
  survival_version = as.character(packageVersion("survival")),
  covariates = covs, m = 50, maxit = 20, seed = 20261130,
  per_imputation = list(estimate = unname(est), variance = unname(var)),
  pool_dfcom_inf = tidy_pool(p_inf, pool(first$fit, dfcom = Inf)$pooled),
  pool_dfcom_default = tidy_pool(p_def, pp_def),
  mc = list(n_rep = n_rep, estimate_mean = colMeans(reps[, 1:p]), estimate_sd = apply(reps[, 1:p], 2, sd),
            se_mean = colMeans(reps[, p + 1:p]), se_sd = apply(reps[, p + 1:p], 2, sd)),
  complete_case = list(estimate = unname(coef(cc)), se = unname(sqrt(diag(vcov(cc)))), n = cc$n, nevent = cc$nevent),
  n_missing = sapply(d[, covs], function(x) sum(is.na(x)))
)
write_json(out, file.path(out_dir, "impute_reference.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("wrote", file.path(out_dir, "impute_reference.json"), "\n")
