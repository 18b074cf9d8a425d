"""statsmodels' AutoReg and ETS on the same series, splits and origins as bench/forecast-accuracy.ts.

Reads a JSON task list on stdin, writes forecasts (point and sample paths) as JSON on stdout; the metrics are computed
on the TypeScript side with nextx's own functions, so every model is scored the same way. Both models are fitted once
on the training part; at each origin they forecast from the values before it with those parameters (AutoReg by its
recursion, ETS by smoothing the series up to the origin with the fitted parameters), as the nextx models do.
"""
import json
import sys
import time
import warnings

import numpy as np
import statsmodels
from statsmodels.tsa.ar_model import AutoReg
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

warnings.filterwarnings("ignore")


def autoreg(values, train_end, origins, horizon, lags, samples, rng):
    res = AutoReg(values[:train_end], lags=lags, trend="c", old_names=False).fit()
    const, phi = res.params[0], res.params[1:]
    sigma = float(np.sqrt(res.sigma2))
    points, paths = [], []
    for t0 in origins:
        hist = list(values[t0 - lags:t0])
        def roll(noise):
            h = list(hist)
            out = []
            for j in range(horizon):
                nxt = const + sum(phi[k] * h[-1 - k] for k in range(lags)) + noise[j]
                h.append(nxt)
                out.append(nxt)
            return out
        points.append(roll(np.zeros(horizon)))
        paths.append([roll(rng.normal(0.0, sigma, horizon)) for _ in range(samples)])
    return points, paths


def ets(values, train_end, origins, horizon, m, samples, seed):
    spec = dict(error="add", trend="add", damped_trend=True)
    if m > 1 and train_end >= 2 * m:
        spec.update(seasonal="add", seasonal_periods=m)
    res = ETSModel(values[:train_end], **spec).fit(disp=False)
    points, paths = [], []
    for t0 in origins:
        smoothed = ETSModel(values[:t0], **spec).smooth(res.params)
        points.append(list(smoothed.forecast(horizon)))
        sims = smoothed.simulate(horizon, repetitions=samples, anchor="end", random_state=seed)
        paths.append(np.asarray(sims).T.tolist())
    return points, paths, spec


def main():
    tasks = json.load(sys.stdin)["tasks"]
    out = []
    for task in tasks:
        values = np.asarray(task["values"], dtype=float)
        rng = np.random.default_rng(task["seed"])
        t = time.perf_counter()
        ar_point, ar_paths = autoreg(values, task["train_end"], task["origins"], task["horizon"], task["lags"], task["samples"], rng)
        ar_seconds = time.perf_counter() - t
        t = time.perf_counter()
        ets_point, ets_paths, spec = ets(values, task["train_end"], task["origins"], task["horizon"], task["seasonality"], task["samples"], task["seed"])
        out.append({
            "id": task["id"],
            "autoreg": {"point": ar_point, "paths": ar_paths, "seconds": ar_seconds, "lags": task["lags"]},
            "ets": {"point": ets_point, "paths": ets_paths, "seconds": time.perf_counter() - t, "spec": spec},
        })
    json.dump({"statsmodels": statsmodels.__version__, "tasks": out}, sys.stdout)


if __name__ == "__main__":
    main()
