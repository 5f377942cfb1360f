# Reference values for external validation, Cox censoring weights, the integrated Brier score and
# a Cox model's own calibration slope, computed with R survival / riskRegression / rms.
#
# Data (public, R package survival): Rotterdam (development) and GBSG (external validation), as
# in Royston & Altman, BMC Med Res Methodol 2013;13:33 and the survival package vignette
# "validation": recurrence-free survival, Rotterdam restricted to node-positive patients; and
# Mayo PBC. Input CSVs are written here (times in days; both sides convert to years as
# days / 365.25) and the predictions are stored in the JSON so that Python evaluates its
# metrics on exactly the same numbers.
# Run from the repository root:  Rscript tests/reference/make_reference_validation.R
suppressPackageStartupMessages({
  library(survival); library(riskRegression); library(rms); library(jsonlite)
})
here <- "tests/reference"
out <- list(
  generated_with = list(R = R.version.string,
                        survival = as.character(packageVersion("survival")),
                        riskRegression = as.character(packageVersion("riskRegression")),
                        rms = as.character(packageVersion("rms"))))

# ---- data ------------------------------------------------------------------------------------
rott <- survival::rotterdam
rott$rfs <- with(rott, pmax(recur, death))
rott$rdays <- with(rott, ifelse(recur == 0 & death == 1 & rtime < dtime, dtime, rtime))
rott <- subset(rott, nodes > 0)
rott <- data.frame(age = rott$age, meno = rott$meno, size = as.character(rott$size),
                   grade = rott$grade, nodes = rott$nodes, pgr = rott$pgr, er = rott$er,
                   hormon = rott$hormon, days = rott$rdays, status = rott$rfs)
g <- survival::gbsg
gb <- data.frame(age = g$age, meno = g$meno,
                 size = as.character(cut(g$size, c(0, 20, 50, 500), c("<=20", "20-50", ">50"))),
                 size_mm = g$size, grade = g$grade, nodes = g$nodes, pgr = g$pgr, er = g$er,
                 hormon = g$hormon, days = g$rfstime, status = g$status)
write.csv(rott, file.path(here, "rotterdam.csv"), row.names = FALSE)
write.csv(gb, file.path(here, "gbsg.csv"), row.names = FALSE)
rott$time <- rott$days / 365.25
gb$time <- gb$days / 365.25
rott$size <- factor(rott$size, levels = c("<=20", "20-50", ">50"))
gb$size <- factor(gb$size, levels = c("<=20", "20-50", ">50"))

# ---- development model and external predictions -----------------------------------------------
fit <- coxph(Surv(time, status) ~ age + meno + size + grade + nodes + pgr + er + hormon,
             data = rott, ties = "efron", x = TRUE, y = TRUE)
times <- c(1, 3, 5)
grid <- seq(0.5, 6, by = 0.5)                       # IBS grid (GBSG follow-up ends at 7.3 y)
lp <- unname(predict(fit, newdata = gb, type = "lp"))
S <- predictCox(fit, newdata = gb, times = times, type = "survival")$survival
Sg <- predictCox(fit, newdata = gb, times = grid, type = "survival")$survival

score <- function(risk, tt, formula, cens.model, summary = NULL) {
  sc <- Score(list(model = risk), formula = formula, data = gb, times = tt,
              metrics = c("auc", "brier"), summary = summary, null.model = FALSE,
              cens.model = cens.model, se.fit = FALSE)
  list(auc = as.data.frame(sc$AUC$score)$AUC, brier = as.data.frame(sc$Brier$score)$Brier,
       ibs = if (is.null(summary)) NULL else as.data.frame(sc$Brier$score)$IBS)
}
ext_km <- score(1 - S, times, Hist(time, status) ~ 1, "km")
# Cox censoring model on numeric covariates (riskRegression fits rms::cph(Surv(time, status == 0)
# ~ covariates) and takes G(T_i- | x_i) at T_i - min increment / 2)
cens_cov <- c("age", "size_mm", "nodes", "pgr", "er", "hormon")
ext_cox <- score(1 - S, times, Hist(time, status) ~ age + size_mm + nodes + pgr + er + hormon, "cox")
ibs <- score(1 - Sg, grid, Hist(time, status) ~ 1, "km", summary = "ibs")

conc <- function(time, status, risk, ...) {
  f <- concordance(Surv(time, status) ~ risk, reverse = TRUE, ...)
  unname(f$concordance)
}
out$external <- list(
  n_dev = nrow(rott), n_ext = nrow(gb), times = times, grid = grid,
  coef = as.list(coef(fit)),
  lp = lp, surv = lapply(seq_along(times), function(k) S[, k]),
  surv_grid = lapply(seq_along(grid), function(k) Sg[, k]),
  brier_km = ext_km$brier, auc_km = ext_km$auc,
  cens_covariates = cens_cov, brier_cox = ext_cox$brier, auc_cox = ext_cox$auc,
  ibs_grid = ibs$ibs, brier_grid = ibs$brier,
  harrell = conc(gb$time, gb$status, lp),
  uno_tau5 = conc(gb$time, gb$status, lp, timewt = "n/G2", ymax = 5),
  # what the defect gave: censoring weights of the development cohort (for the record only)
  max_followup_ext = max(gb$time))

# ---- a Cox model's own calibration slope on PBC is 1 ------------------------------------------
p <- survival::pbc
p <- p[!is.na(p$trt), c("time", "status", "age", "edema", "bili", "albumin", "protime")]
p <- p[complete.cases(p), ]
p$death <- as.integer(p$status == 2)
write.csv(data.frame(days = p$time, death = p$death, age = p$age, edema = p$edema, bili = p$bili,
                     albumin = p$albumin, protime = p$protime),
          file.path(here, "pbc.csv"), row.names = FALSE)
p$years <- p$time / 365.25
pf <- coxph(Surv(years, death) ~ age + edema + log(bili) + log(albumin) + log(protime), data = p,
            ties = "efron", x = TRUE)
pt <- c(2, 5, 10)
# survival directly (1 - predictRisk would round S < 1e-16 to 0)
Sp <- predictCox(pf, newdata = p, times = pt, type = "survival")$survival
slopes <- sapply(seq_along(pt), function(k) {
  d <- data.frame(years = p$years, death = p$death, cll = log(-log(Sp[, k])))
  unname(coef(coxph(Surv(years, death) ~ cll, data = d, ties = "efron",
                    control = coxph.control(eps = 1e-12, toler.chol = 1e-15, iter.max = 50))))
})
out$pbc_own_slope <- list(n = nrow(p), times = pt, surv = lapply(seq_along(pt), function(k) Sp[, k]),
                          min_surv = apply(Sp, 2, min), slope = slopes)

# ---- proportional-hazards score test (cox.zph) on the veteran data ----------------------------
v <- read.csv(file.path(here, "veteran.csv"))
zph <- function(f, transform) {
  z <- cox.zph(f, transform = transform)$table
  list(chisq = unname(z[, "chisq"]), df = unname(z[, "df"]), p = unname(z[, "p"]))
}
f1 <- coxph(Surv(time, status) ~ karno, data = v, ties = "efron")
f2 <- coxph(Surv(time, status) ~ karno + age, data = v, ties = "efron")
out$cox_zph <- list(karno_km = zph(f1, "km"), karno_age_km = zph(f2, "km"),
                    karno_age_identity = zph(f2, "identity"), karno_age_log = zph(f2, "log"))

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE),
           file.path(here, "validation_reference.json"))
cat("wrote", file.path(here, "validation_reference.json"), "\n")
