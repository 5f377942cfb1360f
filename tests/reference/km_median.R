# Reference for prognosis._kernels.survival_quantile: median of R survival::survfit (Kaplan-Meier)
# on small integer-time data sets built to hit plateaus at exactly S = 0.5.
# Run: Rscript tests/reference/km_median.R  (writes tests/reference/km_median.json)
suppressPackageStartupMessages({library(survival); library(jsonlite)})
set.seed(20261130)
cases <- list()
for (i in 1:60) {
  n <- sample(4:30, 1)
  time <- sample(1:12, n, replace = TRUE)
  event <- rbinom(n, 1, 0.7)
  if (sum(event) == 0) event[1] <- 1
  fit <- survfit(Surv(time, event) ~ 1)
  med <- unname(summary(fit)$table["median"])
  qs <- quantile(fit, probs = c(0.25, 0.5, 0.75), conf.int = FALSE)
  cases[[length(cases) + 1]] <- list(time = time, event = event,
                                     median = if (is.na(med)) NULL else med,
                                     q = lapply(unname(qs), function(v) if (is.na(v)) NULL else v))
}
out <- list(generator = "tests/reference/km_median.R",
            r_version = R.version.string, survival = as.character(packageVersion("survival")),
            cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null"), "tests/reference/km_median.json")
