# BFAST-Monitor by R's strucchange, the package bfastmonitor() runs on, for each pixel of a
# CSV (pixel, day, value, monitor): the OLS fit of the history looks (lm.fit), then
# efp(type = "OLS-MOSUM") -> mefp -> monitor over every clear look, as bfastmonitor does.
# The regressors are geosweep's (docs/detector.md): 1, [t,] cos 2 pi j t, sin 2 pi j t with
# t = (day - 10957) / 365.25. Writes pixel, n, sigma, beta..., break_day, break_sign.
# usage: Rscript bfast_reference.R IN.csv OUT.csv K TREND(0|1) H LEVEL END
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(strucchange))
k <- as.integer(args[3]); trend <- args[4] == "1"
h <- as.numeric(args[5]); level <- as.numeric(args[6]); end <- as.integer(args[7])
d <- read.csv(args[1])
p <- 1 + trend + 2 * k
rows <- list()
for (px in unique(d$pixel)) {
  s <- d[d$pixel == px & !is.na(d$value), ]
  t <- (s$day - 10957) / 365.25
  X <- matrix(1, nrow(s), 1)
  if (trend) X <- cbind(X, t)
  for (j in seq_len(k)) X <- cbind(X, cos(2 * pi * j * t), sin(2 * pi * j * t))
  y <- s$value
  hist <- s$monitor == 0
  n <- sum(hist)
  out <- c(px, n, NA, rep(NA, p), NA, NA)
  if (n > p && floor(h * n) > 1) {
    fit <- lm.fit(X[hist, , drop = FALSE], y[hist])
    out[3] <- sqrt(sum(fit$residuals^2) / (n - p))
    out[4:(3 + p)] <- fit$coefficients
    history <- list(y = y[hist], X = X[hist, , drop = FALSE])
    e <- efp(y ~ X - 1, data = history, type = "OLS-MOSUM", h = h)
    m <- mefp(e, alpha = level, period = end)
    m <- monitor(m, data = list(y = y, X = X))
    if (!is.na(m$breakpoint)) {
      out[4 + p] <- s$day[m$breakpoint]
      out[5 + p] <- sign(m$process[m$breakpoint - n])
    }
  }
  rows[[length(rows) + 1]] <- out
}
result <- do.call(rbind, rows)
colnames(result) <- c("pixel", "n", "sigma", paste0("beta", seq_len(p)), "break_day", "break_sign")
write.csv(result, args[2], row.names = FALSE, na = "NA")
