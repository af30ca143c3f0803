#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Derives the constants of src/act_impl.h (numpy only): the two polynomials, fitted for minimax
relative error by Lawson's iteratively reweighted least squares on a dense Chebyshev grid, then
rounded to float; and the float thresholds, found by testing the floats next to the real one.

    /usr/bin/python3 tools/act_coeffs.py        # prints the #defines, about a minute

The accuracy that counts is the one of the float evaluation, measured over every input by
tests/test_act_exhaustive.c; these fits only make the approximation error small next to it."""
import numpy as np

LN2 = np.log(2.0)


def lawson(A, b, iters=3000):
    """c minimising max_i |(A c - b)_i|: weighted least squares, weights multiplied by |residual|."""
    w = np.full(A.shape[0], 1.0 / A.shape[0])
    best = (np.inf, None)
    for _ in range(iters):
        sw = np.sqrt(w)
        c = np.linalg.lstsq(A * sw[:, None], b * sw, rcond=None)[0]
        r = A @ c - b
        if np.max(np.abs(r)) < best[0]:
            best = (np.max(np.abs(r)), c)
        w = w * np.abs(r)
        w /= w.sum()
    return best


def grid(half_width):
    return np.cos(np.linspace(0.0, np.pi, 20001)) * half_width


def f32(v):
    return np.float32(v)


def hexf(v):
    """C hex-float literal of a float32, 6 hex digits."""
    v = float(f32(v))
    if v == 0.0:
        return "0x0p+0f"
    m, e = np.frexp(abs(v))  # v = m * 2^e, m in [0.5, 1)
    frac = int(round((m * 2 - 1) * 2**24))
    return "%s0x1.%06Xp%+df" % ("-" if v < 0 else "", frac, e - 1)


def sigmoid_poly():
    # exp(t) = 1 + t * (c1 + c2 t + ... + c6 t^5) on |t| <= ln2/2 (widened by 1e-4 for the
    # reduction's rounding); relative error. src/act_impl.h evaluates it in u = -t (odd
    # coefficients negated). Degree 5 (relative error 9.2e-8) measured 3.3 ULP on every 97th
    # input: too close to the 3.5 ULP aim, so degree 6.
    t = grid(LN2 / 2 * 1.0001)
    et = np.exp(t)
    A = np.stack([t**k / et for k in range(1, 7)], axis=1)
    err, c = lawson(A, (et - 1) / et)
    return err, c


def tanh_poly():
    # expm1(2h) = 2h + 2h^2 * (p0 + p1 h + ... + p4 h^4) on |h| <= ln2/4 (widened by 4e-4);
    # relative error of expm1(2h).
    h = grid(LN2 / 4 * 1.0004)
    h = h[np.abs(h) > 1e-9]
    em = np.expm1(2 * h)
    A = np.stack([2 * h ** (k + 2) / em for k in range(5)], axis=1)
    err, c = lawson(A, (em - 2 * h) / em)
    return err, c


def first_float(pred, start):
    """The least float32 x >= start - 64 ULP with pred(x), pred monotone (False then True)."""
    x = f32(start)
    for _ in range(64):
        x = np.nextafter(x, f32(-np.inf))
    while not pred(x):
        x = np.nextafter(x, f32(np.inf))
    return x


def sigmoid64(x):
    x = float(x)
    return np.exp(x) / (1 + np.exp(x)) if x < 0 else 1 / (1 + np.exp(-x))


def main():
    flt_min = 2.0**-126
    # least x with sigmoid(x) >= FLT_MIN (below it the exact result is subnormal: flushed to +0)
    xmin = first_float(lambda x: sigmoid64(x) >= flt_min, np.log(flt_min))
    # least x where sigmoid rounds to 1: 1 - sigmoid(x) <= 2^-25 (a tie rounds to even, 1.0)
    sig_one = first_float(lambda x: 1 / (1 + np.exp(float(x))) <= 2.0**-25, np.log(2.0**25))
    # least x where tanh rounds to 1: 1 - tanh(x) = 2 / (exp(2x) + 1) <= 2^-25
    tanh_sat = first_float(lambda x: 2 / (np.exp(2 * float(x)) + 1) <= 2.0**-25, np.log(2.0**26) / 2)
    ln2_hi = np.round(LN2 * 2**16) / 2**16  # 15 significant bits: n * hi exact for |n| < 512
    ln2_lo = LN2 - ln2_hi

    print("#define SIG_XMIN (%s)   /* %.9g */" % (hexf(xmin), float(xmin)))
    print("#define SIG_XINF (%s) /* -128 ln2: n = 128, 2^n = +inf */" % hexf(-128 * LN2))
    print("#define SIG_XHI %s     /* 127 ln2: n = -127, 2^n = +0 */" % hexf(127 * LN2))
    print("#define SIG_MAGIC %s  /* 1.5 * 2^23 + 127: s = 2^n */" % hexf(1.5 * 2**23 + 127))
    print("#define SIG_LN2_HI %s" % hexf(ln2_hi))
    print("#define SIG_LN2_LO %s" % hexf(ln2_lo))
    err, c = sigmoid_poly()
    for k, v in enumerate(c, 1):
        print("#define SIG_C%d %s" % (k, hexf(v)))
    print("/* exp(t) degree 6: max relative error %.3g */" % err)
    print("/* sigmoid rounds to 1 from x = %s (%.9g) */" % (hexf(sig_one), float(sig_one)))
    print()
    print("#define TANH_XSAT %s   /* %.9g */" % (hexf(tanh_sat), float(tanh_sat)))
    print("#define TANH_MAGIC %s /* 1.5 * 2^23 + 128 */" % hexf(1.5 * 2**23 + 128))
    print("#define TANH_LN2_2 %s  /* error %.3g */" % (hexf(LN2 / 2), float(f32(LN2 / 2)) - LN2 / 2))
    err, c = tanh_poly()
    for k, v in enumerate(c):
        print("#define TANH_P%d %s" % (k, hexf(v)))
    print("/* expm1(2h) degree-4 P: max relative error %.3g */" % err)
    print("#define ACT_LOG2E %s" % hexf(1 / LN2))


if __name__ == "__main__":
    main()
