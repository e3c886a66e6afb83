"""Runs in its own process (bench/run.py starts it): the CSV export of every case, as the
programme administrator would download it, written to /dev/null. Prints wall time, bytes, rows
and this process's peak resident memory as JSON."""

import json
import os
import resource
import sys
import time

import django


def main(user_id: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from accounts.models import User
    from governance.exports import csv_stream

    user = User.objects.get(pk=user_id)
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    size = lines = 0
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for chunk in csv_stream(user=user, dataset="cases", filters={}):
            sink.write(chunk)
            size += len(chunk)
            lines += chunk.count("\n")
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "app_s": round(elapsed, 3),
                "chars": size,
                "lines": lines,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "rss_before_mb": round(baseline_mb, 1),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
