# rms::validate indices of a Cox model (Dxy, R2, slope, D, U, Q, g; apparent and bootstrap
# optimism-corrected) on the public Mayo PBC data (tests/reference/pbc.csv, written by
# make_reference_validation.R). The corrected indices are random (bootstrap), so validate() is
# run with B = 200 under 20 seeds: the JSON holds the apparent indices (deterministic), the mean
# corrected index over seeds and its standard deviation across seeds — the Monte-Carlo noise of
# one B = 200 run, from which the Python test derives its tolerance.
# Run from the repository root:  Rscript tests/reference/make_reference_rms_validate.R
suppressPackageStartupMessages({library(rms); library(jsonlite)})
here <- "tests/reference"
p <- read.csv(file.path(here, "pbc.csv"))
p$years <- p$days / 365.25
f <- cph(Surv(years, death) ~ age + edema + log(bili) + log(albumin) + log(protime), data = p,
         x = TRUE, y = TRUE, method = "efron")
seeds <- 1:20
runs <- lapply(seeds, function(s) { set.seed(s); v <- rms::validate(f, B = 200); v })
idx <- rownames(runs[[1]])
orig <- runs[[1]][, "index.orig"]
corr <- sapply(runs, function(v) v[, "index.corrected"])
opt <- sapply(runs, function(v) v[, "optimism"])
out <- list(generated_with = list(R = R.version.string, rms = as.character(packageVersion("rms"))),
            n = nrow(p), B = 200, seeds = seeds, index = idx,
            coef = unname(coef(f)), lp = unname(f$linear.predictors),
            apparent = unname(orig), corrected_mean = unname(rowMeans(corr)),
            corrected_sd = unname(apply(corr, 1, sd)), optimism_mean = unname(rowMeans(opt)))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE), file.path(here, "rms_validate_reference.json"))
cat("wrote", file.path(here, "rms_validate_reference.json"), "\n")
