"""Independent reference numbers for the value models (test/value-*.test.ts), from scipy.

Run:  /usr/bin/python3 bench/value_reference.py > /tmp/value_reference.json

Everything here is written from the papers, separately from loaders/value/ (Python, scipy's
gammaln / hyp2f1 / digamma, scipy.optimize), so agreement checks the TypeScript, not a copy of
it. It prints one JSON document; the tests paste the numbers they use, with a comment naming
this script. Needs only the Python standard library, numpy and scipy (Debian python3-scipy).
"""
import datetime
import json
import math
import os
import sys

import numpy as np
from scipy import optimize
from scipy.special import betaln, digamma, gammaln, hyp2f1, logsumexp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAL_END = datetime.date(1997, 9, 30).toordinal()
HOLD_END = datetime.date(1998, 6, 30).toordinal()


# ---------------------------------------------------------------------------------------------
# Data: the CDNOW master file -> per-customer summary (a purchase is a customer-day).
def read_cdnow():
    purchases = {}
    with open(os.path.join(ROOT, "data", "cdnow_master.txt")) as f:
        next(f)
        for line in f:
            fields = line.split()
            if not fields:
                continue
            cid, d, amount = int(fields[0]), fields[1], float(fields[3])
            day = datetime.date(int(d[:4]), int(d[4:6]), int(d[6:])).toordinal()
            days = purchases.setdefault(cid, {})
            days[day] = days.get(day, 0.0) + amount
    return purchases


def sample_ids():
    """The 1/10 sample's master ids, one per line in test/fixtures/cdnow-sample-ids.txt (see its README.md)."""
    with open(os.path.join(ROOT, "test", "fixtures", "cdnow-sample-ids.txt")) as f:
        return [int(line) for line in f if line.strip()]


def summarize(purchases, ids):
    x, tx, T, mbar, hold = [], [], [], [], []
    for cid in ids:
        days = sorted(purchases[cid].items())
        first = days[0][0]
        cal = [(d, a) for d, a in days if d <= CAL_END]
        x.append(len(cal) - 1)
        tx.append((cal[-1][0] - first) / 7)
        T.append((CAL_END - first) / 7)
        mbar.append(sum(a for _, a in cal[1:]) / (len(cal) - 1) if len(cal) > 1 else 0.0)
        hold.append(sum(1 for d, _ in days if CAL_END < d <= HOLD_END))
    return [np.array(v, dtype=float) for v in (x, tx, T, mbar, hold)]


# ---------------------------------------------------------------------------------------------
# BG/NBD, Fader, Hardie & Lee (2005), eq. (6), (7), (9), (10).
def bgnbd_ll(params, x, tx, T):
    r, alpha, a, b = params
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + tx), -np.inf)
    return head + np.logaddexp(a3, a4)


def bgnbd_palive(params, x, tx, T):
    r, alpha, a, b = params
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def bgnbd_cond_expected(params, t, x, tx, T):
    r, alpha, a, b = params
    z = t / (alpha + T + t)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
    g = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    return g * bgnbd_palive(params, x, tx, T)


def bgnbd_expected(params, t):
    r, alpha, a, b = params
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))


def bgnbd_pmf(params, t, x):
    r, alpha, a, b = params
    def nbd(j):
        return math.exp(gammaln(r + j) - gammaln(r) - gammaln(j + 1) + r * math.log(alpha / (alpha + t)) + j * math.log(t / (alpha + t)))
    value = math.exp(betaln(a, b + x) - betaln(a, b)) * nbd(x)
    if x > 0:
        value += math.exp(betaln(a + 1, b + x - 1) - betaln(a, b)) * (1 - sum(nbd(j) for j in range(x)))
    return value


# ---------------------------------------------------------------------------------------------
# Pareto/NBD, Fader & Hardie (2005) "A note on deriving the Pareto/NBD model", eq. (22), and
# the P(alive) / conditional expectation expressions.
def pnbd_log_a0(params, x, tx, T):
    r, alpha, s, beta = params
    if alpha >= beta:
        c, b2 = alpha, s + 1
    else:
        c, b2 = beta, r + x
    m = r + s + x
    gap = abs(alpha - beta)
    f1 = np.log(hyp2f1(m, b2, m + 1, gap / (c + tx))) - m * np.log(c + tx)
    f2 = np.log(hyp2f1(m, b2, m + 1, gap / (c + T))) - m * np.log(c + T)
    with np.errstate(divide="ignore"):
        return f1 + np.log(-np.expm1(f2 - f1))


def pnbd_ll(params, x, tx, T):
    r, alpha, s, beta = params
    u0 = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    u1 = np.log(s / (r + s + x)) + pnbd_log_a0(params, x, tx, T)
    return gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + np.logaddexp(u0, u1)


def pnbd_palive(params, x, tx, T):
    r, alpha, s, beta = params
    u0 = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    u1 = np.log(s / (r + s + x)) + pnbd_log_a0(params, np.array([x]), np.array([tx]), np.array([T]))[0]
    return float(np.exp(u0 - np.logaddexp(u0, u1)))


def pnbd_cond_expected(params, t, x, tx, T):
    r, alpha, s, beta = params
    return (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1 - ((beta + T) / (beta + T + t)) ** (s - 1)) * pnbd_palive(params, x, tx, T)


def pnbd_expected(params, t):
    r, alpha, s, beta = params
    return r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))


# ---------------------------------------------------------------------------------------------
# Gamma-Gamma, Fader & Hardie (2013) "The Gamma-Gamma model of monetary value", eq. (4), (5).
def gg_ll(params, x, m):
    p, q, v = params
    return gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v) + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(v + x * m)


def gg_expected(params, x, m):
    p, q, v = params
    return (p * v + p * x * m) / (p * x + q - 1)


# ---------------------------------------------------------------------------------------------
def fit(nll, start):
    """Nelder-Mead on log-parameters to a tight tolerance, then BFGS from there."""
    f = lambda theta: nll(np.exp(theta))
    res = optimize.minimize(f, np.log(start), method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 40000, "maxfev": 40000})
    res = optimize.minimize(f, res.x, method="BFGS", options={"gtol": 1e-7})
    return [float(v) for v in np.exp(res.x)], float(-res.fun)


def main():
    purchases = read_cdnow()
    ids = sorted(purchases)
    x, tx, T, mbar, hold = summarize(purchases, ids)
    rep = x > 0
    pos = rep & (mbar > 0)
    out = {"scipy": __import__("scipy").__version__, "numpy": np.__version__}

    out["special"] = {
        "gammaln": [[v, float(gammaln(v))] for v in [1e-5, 0.2426, 0.5, 1, 1.5, 2, 2.5, 4.4136, 10, 33.3, 171.5, 1e5, 1e10]],
        "digamma": [[v, float(digamma(v))] for v in [1e-5, 0.2426, 0.5, 1, 1.5, 2.5, 9.99, 33.3, 1e5]],
        "betaln": [[a, b, float(betaln(a, b))] for a, b in [(0.7929, 2.4259), (0.7929, 28.4259), (1.5, 1e6), (3, 4)]],
        # 2F1 at the arguments the models use, and harder ones (large a+b-c, z near 1).
        "hyp2f1": [[a, b, c, z, float(hyp2f1(a, b, c, z))] for a, b, c, z in [
            (0.5, 0.5, 1.5, 0.25),
            (2.2426, 4.4259, 4.2188, 39 / (4.4136 + 38.86 + 39)),          # BG/NBD E[Y(39)], x = 2
            (26.2426, 28.4259, 28.2188, 52 / (4.4136 + 31 + 52)),          # BG/NBD E[Y(52)], x = 26
            (0.2426, 2.4259, 2.2188, 78 / (4.4136 + 78)),                  # BG/NBD E[X(78)]
            (1.7594, 1.6062, 2.7594, (11.6715 - 10.5763) / 11.6715),       # Pareto/NBD, x = 0, t = 0
            (28.1594, 26.5532, 29.1594, 0.5),                              # Pareto/NBD, alpha < beta, x = 26
            (3.0, 2.0, 4.0, 0.95),
            (10.5, 1.5, 11.5, 0.99),
            (1.25, 0.75, 2.25, 0.9),
            (5.0, -2.5, 3.0, 0.6),
        ]],
    }

    bg = [0.2426, 4.4136, 0.7929, 2.4259]
    pn = [0.5532, 10.5763, 0.6062, 11.6715]
    gg = [6.25, 3.74, 15.44]
    out["published"] = {
        "bgnbd": {
            "condExpected_x2": bgnbd_cond_expected(bg, 39, 2, 30.43, 38.86),
            "condExpected_x26": bgnbd_cond_expected(bg, 52, 26, 30.86, 31),
            "pAlive_x26": bgnbd_palive(bg, 26, 30.86, 31),
            "pAlive_x2": bgnbd_palive(bg, 2, 30.43, 38.86),
            "expected": [[t, float(bgnbd_expected(bg, t))] for t in [0.1429, 1, 3, 31.8571, 32, 39, 78]],
            "pmf": [[t, k, bgnbd_pmf(bg, t, k)] for t, k in [(38.86, 0), (38.86, 1), (38.86, 2), (38.86, 7), (78, 3)]],
        },
        "pnbd": {
            "condExpected_x2": pnbd_cond_expected(pn, 39, 2, 30.43, 38.86),
            "condExpected_x26": pnbd_cond_expected(pn, 52, 26, 30.86, 31),
            "pAlive_x26": pnbd_palive(pn, 26, 30.86, 31),
            "pAlive_x2": pnbd_palive(pn, 2, 30.43, 38.86),
            "pAlive_x0": pnbd_palive(pn, 0, 0, 38.86),
            "expected": [[t, float(pnbd_expected(pn, t))] for t in [1, 39, 78]],
            # alpha < beta branch
            "pAlive_swapped": pnbd_palive([0.5532, 11.6715, 0.6062, 10.5763], 26, 30.86, 31),
            "ll_swapped": float(pnbd_ll([0.5532, 11.6715, 0.6062, 10.5763], np.array([26.0]), np.array([30.86]), np.array([31.0]))[0]),
            # the numerically hard case CLVTools' tests keep (large x, tx close to T)
            "pAlive_clvtools": [pnbd_palive([0.5143, 2.8845, 0.2856, 14.1087], xx, a, b) for xx, a, b in
                                [(221, 103.42857, 103.57143), (254, 97.14286, 97.28571), (161, 94.71429, 98.0), (204, 98.57143, 99.42857)]],
        },
        "gammaGamma": {"expected_x2": gg_expected(gg, 2, 22.35)},
    }

    # Full CDNOW (23,570 customers), weekly, calibration to 1997-09-30.
    args = (x, tx, T)
    full = {
        "customers": int(len(x)),
        "sumX": float(x.sum()), "sumHoldout": float(hold.sum()), "repeaters": int(rep.sum()), "positiveSpend": int(pos.sum()),
        "sumT": float(T.sum()), "sumTx": float(tx.sum()), "sumMeanSpend": float(mbar.sum()),
        "customer1": [float(v[0]) for v in (x, tx, T, mbar, hold)],
        "customer3": [float(v[2]) for v in (x, tx, T, mbar, hold)],
        "llBgnbdPublished": float(bgnbd_ll(bg, *args).sum()),
        "llPnbdPublished": float(pnbd_ll(pn, *args).sum()),
        "llGammaGammaPublished": float(gg_ll(gg, x[pos], mbar[pos]).sum()),
    }
    full["bgnbd"], full["llBgnbd"] = fit(lambda p: -bgnbd_ll(p, *args).sum(), [1, 5, 1, 1])
    full["pnbd"], full["llPnbd"] = fit(lambda p: -pnbd_ll(p, *args).sum(), [1, 5, 1, 5])
    full["gammaGamma"], full["llGammaGamma"] = fit(lambda p: -gg_ll(p, x[pos], mbar[pos]).sum(), [1, 2, 30])
    full["holdoutExpectedBgnbd"] = float(sum(bgnbd_cond_expected(full["bgnbd"], 39, *c) for c in zip(x, tx, T)))
    out["cdnow"] = full

    # The 1/10 sample (2,357 customers) of Fader, Hardie & Lee (2005).
    sx, stx, sT, smbar, shold = summarize(purchases, sample_ids())
    spos = (sx > 0) & (smbar > 0)
    sargs = (sx, stx, sT)
    sample = {
        "customers": int(len(sx)), "sumX": float(sx.sum()), "sumHoldout": float(shold.sum()), "positiveSpend": int(spos.sum()),
        "llBgnbdPublished": float(bgnbd_ll(bg, *sargs).sum()),
        "llPnbdPublished": float(pnbd_ll(pn, *sargs).sum()),
        "llGammaGammaPublished": float(gg_ll(gg, sx[spos], smbar[spos]).sum()),
        "holdoutExpectedBgnbdPublished": float(sum(bgnbd_cond_expected(bg, 39, *c) for c in zip(*sargs))),
    }
    sample["bgnbd"], sample["llBgnbd"] = fit(lambda p: -bgnbd_ll(p, *sargs).sum(), [1, 5, 1, 1])
    sample["pnbd"], sample["llPnbd"] = fit(lambda p: -pnbd_ll(p, *sargs).sum(), [1, 5, 1, 5])
    sample["gammaGamma"], sample["llGammaGamma"] = fit(lambda p: -gg_ll(p, sx[spos], smbar[spos]).sum(), [1, 2, 30])
    sample["holdoutExpectedBgnbd"] = float(sum(bgnbd_cond_expected(sample["bgnbd"], 39, *c) for c in zip(*sargs)))
    sample["holdoutExpectedPnbd"] = float(sum(pnbd_cond_expected(sample["pnbd"], 39, *c) for c in zip(*sargs)))
    out["sample"] = sample
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
