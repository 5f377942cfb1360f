# Reference values for prognosis.metrics, computed with R survival / riskRegression / rms.
#
# Data: tests/reference/veteran.csv and lung.csv (public teaching data written by make_data.py).
# Predictions (Cox linear predictors, S(t|x)) are computed here and stored in the JSON so that
# Python evaluates its metrics on exactly the same numbers.
# Run from the repository root:  Rscript tests/reference/make_reference.R
suppressPackageStartupMessages({
  library(survival); library(riskRegression); library(rms); library(jsonlite)
})
here <- "tests/reference"
out <- list(
  generated_with = list(R = R.version.string,
                        survival = as.character(packageVersion("survival")),
                        riskRegression = as.character(packageVersion("riskRegression")),
                        rms = as.character(packageVersion("rms"))))

conc <- function(time, status, risk, ...) {
  f <- concordance(Surv(time, status) ~ risk, reverse = TRUE, ...)
  list(c = unname(f$concordance), count = as.list(f$count))
}

km_ref <- function(time, status, times) {
  s <- summary(survfit(Surv(time, status) ~ 1), times = times, extend = FALSE)
  list(times = times, surv = s$surv, lower = s$lower, upper = s$upper,
       std_err_surv = s$std.err, n_risk = s$n.risk)
}

austin <- function(time, status, surv, t) {
  # Austin, Harrell & van Klaveren, Stat Med 2020: cph on rcs(cll, 3 knots at 10/50/90%)
  d <- data.frame(time = time, status = status, cll = log(-log(surv)))
  k <- unname(quantile(d$cll, c(0.1, 0.5, 0.9)))
  dd <- datadist(d); options(datadist = dd); assign("dd", dd, envir = .GlobalEnv)
  fml <- as.formula(sprintf("Surv(time, status) ~ rcs(cll, c(%s))",
                            paste(sprintf("%.17g", k), collapse = ", ")))
  cal <- cph(fml, data = d, x = TRUE, y = TRUE, surv = TRUE)
  obs <- 1 - survest(cal, newdata = d, times = t)$surv
  dif <- abs(obs - (1 - surv))
  slope <- unname(coef(coxph(Surv(time, status) ~ cll, data = d)))
  km <- summary(survfit(Surv(time, status) ~ 1), times = t)$surv
  list(t = t, knots = k, ici = mean(dif), e50 = unname(median(dif)),
       e90 = unname(quantile(dif, 0.9)), observed = as.numeric(obs), slope = slope,
       oe_ratio = (1 - km) / mean(1 - surv))
}

score_ref <- function(time, status, risk_mat, times) {
  d <- data.frame(time = time, status = status)
  sc <- Score(list(model = risk_mat), formula = Hist(time, status) ~ 1, data = d,
              times = times, metrics = c("auc", "brier"), summary = "ipa",
              null.model = TRUE, cens.model = "km", se.fit = FALSE)
  a <- as.data.frame(sc$AUC$score); b <- as.data.frame(sc$Brier$score)
  bm <- b[b$model == "model", ]; bn <- b[b$model == "Null model", ]
  list(times = times, auc = a$AUC[a$model == "model"], brier = bm$Brier,
       brier_null = bn$Brier, ipa = bm$IPA)
}

case <- function(name, d, formula, score, times, tau, cal_t) {
  fit <- coxph(formula, data = d, ties = "efron", x = TRUE, y = TRUE)
  lp <- unname(predict(fit, type = "lp"))
  S <- 1 - predictRisk(fit, newdata = d, times = times)   # n x length(times)
  res <- list(
    n = nrow(d), lp = lp, score = d[[score]], times = times,
    surv = lapply(seq_along(times), function(k) S[, k]),
    harrell_lp = conc(d$time, d$status, lp),
    harrell_score = conc(d$time, d$status, -d[[score]]),       # score: higher = better
    uno_lp_tau = c(conc(d$time, d$status, lp, timewt = "n/G2", ymax = tau), tau = tau),
    uno_lp = conc(d$time, d$status, lp, timewt = "n/G2"),
    uno_score_tau = c(conc(d$time, d$status, -d[[score]], timewt = "n/G2", ymax = tau),
                      tau = tau),
    score_metrics = score_ref(d$time, d$status, 1 - S, times),
    km = km_ref(d$time, d$status, times))
  k <- match(cal_t, times)
  res$calibration <- austin(d$time, d$status, S[, k], cal_t)
  # a miscalibrated predictor (too extreme: cll scaled by 1.5) so that ICI, slope and O/E are
  # not trivial (in-sample Cox predictions have slope 1 by construction)
  res$calibration_miscal <- austin(d$time, d$status, exp(-(-log(S[, k]))^1.5), cal_t)
  res
}

vet <- read.csv(file.path(here, "veteran.csv"))
vet$celltype <- factor(vet$celltype)
out$veteran <- case("veteran", vet, Surv(time, status) ~ karno + age + celltype + trt + prior,
                    "karno", times = c(30, 90, 180, 365), tau = 365, cal_t = 90)

lung <- read.csv(file.path(here, "lung.csv"))
lung$status01 <- lung$status
out$lung <- case("lung", lung, Surv(time, status) ~ age + sex + ph_ecog + ph_karno,
                 "ph_karno", times = c(180, 365, 540), tau = 730, cal_t = 365)

# timefix: times equal up to floating-point noise are tied (survival::aeqSurv)
tf <- data.frame(time = c(1, 1 + 1e-12, 2, 2, 3, 4 - 1e-13, 4, 5),
                 status = c(1, 1, 1, 0, 1, 1, 0, 0),
                 risk = c(5, 4, 4, 3, 2, 2, 1, 0))
out$timefix <- c(list(time = tf$time, status = tf$status, risk = tf$risk),
                 conc(tf$time, tf$status, tf$risk))

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE),
           file.path(here, "metrics_reference.json"))
cat("wrote", file.path(here, "metrics_reference.json"), "\n")
