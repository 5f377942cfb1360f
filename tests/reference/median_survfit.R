# Median survival and its confidence limits from survfit (R survival), for the median
# convention of prognosis.models.individual.median_survival (first time S <= 0.5; midpoint when
# S sits at exactly 0.5). Run: Rscript tests/reference/median_survfit.R > tests/reference/median_survfit.json
suppressMessages(library(survival))
cases <- list(
  exact_half = data.frame(time = c(1, 2, 3, 4), status = c(1, 1, 1, 1)),       # S = .75 .5 .25 0
  no_tie     = data.frame(time = c(1, 2, 3, 4, 5), status = c(1, 1, 1, 1, 1)),  # S crosses 0.5 at 3
  censored   = data.frame(time = c(1, 2, 2, 3, 5, 6, 8), status = c(1, 0, 1, 1, 0, 1, 0)),
  not_reached = data.frame(time = c(1, 2, 3, 4, 5), status = c(1, 0, 0, 0, 0))
)
out <- lapply(cases, function(d) {
  f <- survfit(Surv(time, status) ~ 1, data = d)
  q <- quantile(f, 0.5)
  list(time = f$time, surv = f$surv, lower = f$lower, upper = f$upper,
       median = unname(q$quantile), median_lower = unname(q$lower), median_upper = unname(q$upper))
})
cat(jsonlite::toJSON(out, digits = NA, auto_unbox = TRUE, na = "null"))
