# rms::calibrate(cmethod = "KM") of a Cox model on the public Mayo PBC data (tests/reference/pbc.csv):
# Kaplan–Meier observed vs mean predicted 5-year survival in groups of ~m = 80 patients and the
# bootstrap optimism-corrected observed survival (KM.corrected). Random (bootstrap): run with
# B = 200 under 20 seeds; the JSON holds the deterministic columns and the mean and SD of
# KM.corrected over seeds (the Monte-Carlo noise of one run) for the Python test's tolerance.
# Run from the repository root:  Rscript tests/reference/make_reference_rms_calibrate.R
suppressPackageStartupMessages({library(rms); library(jsonlite)})
here <- "tests/reference"
p <- read.csv(file.path(here, "pbc.csv"))
p$years <- p$days / 365.25
f <- cph(Surv(years, death) ~ age + edema + log(bili) + log(albumin) + log(protime), data = p,
         x = TRUE, y = TRUE, surv = TRUE, time.inc = 5, method = "efron")
runs <- lapply(1:20, function(s) { set.seed(s); rms::calibrate(f, cmethod = "KM", u = 5, m = 80, B = 200) })
r1 <- runs[[1]]
kmc <- sapply(runs, function(r) r[, "KM.corrected"])
out <- list(generated_with = list(R = R.version.string, rms = as.character(packageVersion("rms"))),
            u = 5, m = 80, B = 200,
            predicted = unname(attr(r1, "predicted")),
            mean_predicted = unname(r1[, "mean.predicted"]), KM = unname(r1[, "KM"]),
            index_orig = unname(r1[, "index.orig"]),
            KM_corrected_mean = unname(rowMeans(kmc)), KM_corrected_sd = unname(apply(kmc, 1, sd)))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE), file.path(here, "rms_calibrate_reference.json"))
cat("wrote", file.path(here, "rms_calibrate_reference.json"), "\n")
