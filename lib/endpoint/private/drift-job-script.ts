/**
 * The drift job's code, shipped in a ConfigMap and run by the CronJob as
 * `python /opt/drift/drift_job.py`: the image only needs Python 3.11 and the pinned
 * libraries below (DRIFT_JOB_REQUIREMENTS; lib/endpoint/README.md shows a Dockerfile).
 * test/integration/drift.test.ts runs this exact text, taken from the synthesized
 * ConfigMap, with the same pins (test/requirements-drift.txt) against moto's S3.
 */

/** The libraries the job imports, pinned (PyPI). numpy/scipy compute PSI and the KS test; prometheus-client writes and pushes the metrics. */
export const DRIFT_JOB_REQUIREMENTS: readonly string[] = ["numpy==2.4.6", "scipy==1.17.1", "prometheus-client==0.26.0", "boto3==1.43.117"];

/** File name of the script in the ConfigMap and in the container. */
export const DRIFT_JOB_FILE = "drift_job.py";

/** Metric names the job writes (test/support/metric-catalog.ts lists them as this job's exports). */
export const DRIFT_METRICS = {
  score: "ml_drift_score",
  featurePsi: "ml_drift_feature_psi",
  featureKsStatistic: "ml_drift_feature_ks_statistic",
  featureKsPvalue: "ml_drift_feature_ks_pvalue",
  samples: "ml_drift_samples",
  lastSuccess: "ml_drift_last_success_timestamp_seconds",
} as const;

export const DRIFT_JOB_SCRIPT = String.raw`#!/usr/bin/env python3
"""Input drift of one model endpoint: recent inference inputs against a reference dataset.

Reads (all from the environment):
  REFERENCE_URI      s3://bucket/key of the reference dataset: JSON Lines (one object per line, the
                     features as keys, or the log record shape with an "inputs" object) or CSV with a
                     header row; ".gz" for gzip.
  INFERENCE_LOG_URI  s3://bucket/inference-logs/<endpoint>/ : the endpoint's logs, partitioned
                     dt=YYYY-MM-DD/, JSON Lines records {"timestamp", "inputs": {...}, "outputs": {...}}.
  FEATURES           comma-separated feature names to compare.
  WINDOW_DAYS        days of partitions read, today (UTC) included (default 1).
  ENDPOINT           the endpoint's name (the metrics' "endpoint" label).
  MIN_SAMPLES        fewer recent records than this: no score is published (default 100).
  BINS               quantile bins of the reference for PSI (default 10).
  PUSHGATEWAY_URL    push the metrics there (job "ml-drift", grouping key endpoint).
  METRICS_FILE       also write them there, in the Prometheus text format.

Per feature: the population stability index (PSI) over the reference's quantile bins (categories for
non-numeric features) and, for numeric features, the two-sample Kolmogorov-Smirnov test (scipy).
The endpoint's drift score is the largest PSI. Exit status 1 on any failure, so that the Job fails
and the "drift job failed" alert fires.
"""
import csv
import datetime
import gzip
import io
import json
import os
import sys
from urllib.parse import urlparse

import boto3
import numpy as np
from prometheus_client import CollectorRegistry, Gauge, push_to_gateway, write_to_textfile
from scipy import stats

EPSILON = 1e-4


def split_s3(uri):
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError("not an s3:// URI: %r" % uri)
    return parsed.netloc, parsed.path.lstrip("/")


def read_text(s3, bucket, key):
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    if key.endswith(".gz"):
        body = gzip.decompress(body)
    return body.decode("utf-8")


def parse_records(text, key):
    base = key[:-3] if key.endswith(".gz") else key
    if base.endswith(".csv"):
        return list(csv.DictReader(io.StringIO(text)))
    records = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            record = json.loads(line)
            records.append(record.get("inputs", record) if isinstance(record, dict) else {})
    return records


def recent_records(s3, log_uri, window_days, today):
    bucket, prefix = split_s3(log_uri)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    records = []
    paginator = s3.get_paginator("list_objects_v2")
    for back in range(window_days):
        day = today - datetime.timedelta(days=back)
        partition = "%sdt=%s/" % (prefix, day.isoformat())
        for page in paginator.paginate(Bucket=bucket, Prefix=partition):
            for obj in page.get("Contents", []):
                records.extend(parse_records(read_text(s3, bucket, obj["Key"]), obj["Key"]))
    return records


def column(records, feature):
    return [r.get(feature) for r in records if r.get(feature) is not None and r.get(feature) != ""]


def as_numbers(values):
    try:
        numbers = np.asarray([float(v) for v in values], dtype=float)
    except (TypeError, ValueError):
        return None
    return numbers[np.isfinite(numbers)]


def psi(expected, actual):
    expected = np.clip(expected, EPSILON, None)
    actual = np.clip(actual, EPSILON, None)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def numeric_psi(reference, current, bins):
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    if len(edges) < 3:  # a constant reference: one bin below or at the value, one above
        value = float(reference[0])
        edges = np.array([-np.inf, value, np.inf])
        ref = np.array([np.mean(reference <= value), np.mean(reference > value)])
        cur = np.array([np.mean(current <= value), np.mean(current > value)])
        return psi(ref, cur)
    ref = np.histogram(reference, edges)[0] / len(reference)
    cur = np.histogram(current, edges)[0] / len(current)
    return psi(ref, cur)


def categorical_psi(reference, current):
    categories = sorted(set(map(str, reference)) | set(map(str, current)))
    ref = np.array([sum(1 for v in reference if str(v) == c) for c in categories], dtype=float) / len(reference)
    cur = np.array([sum(1 for v in current if str(v) == c) for c in categories], dtype=float) / len(current)
    return psi(ref, cur)


def compute(reference_records, current_records, features, bins):
    """Per feature: {"psi", "ks_statistic", "ks_pvalue"} (KS for numeric features only)."""
    results = {}
    for feature in features:
        ref_values = column(reference_records, feature)
        cur_values = column(current_records, feature)
        if not ref_values:
            raise ValueError("feature %r has no value in the reference dataset" % feature)
        if not cur_values:
            raise ValueError("feature %r has no value in the recent inference logs" % feature)
        ref_numbers, cur_numbers = as_numbers(ref_values), as_numbers(cur_values)
        if ref_numbers is not None and cur_numbers is not None and len(ref_numbers) and len(cur_numbers):
            ks = stats.ks_2samp(ref_numbers, cur_numbers)
            results[feature] = {"psi": numeric_psi(ref_numbers, cur_numbers, bins), "ks_statistic": float(ks.statistic), "ks_pvalue": float(ks.pvalue)}
        else:
            results[feature] = {"psi": categorical_psi(ref_values, cur_values)}
    return results


def metrics(endpoint, results, reference_count, current_count, min_samples, now):
    registry = CollectorRegistry()
    samples = Gauge("ml_drift_samples", "Records compared, by dataset (reference, current).", ["endpoint", "dataset"], registry=registry)
    samples.labels(endpoint, "reference").set(reference_count)
    samples.labels(endpoint, "current").set(current_count)
    if results is not None:
        feature_psi = Gauge("ml_drift_feature_psi", "Population stability index of a feature, recent inputs against the reference.", ["endpoint", "feature"], registry=registry)
        ks_statistic = Gauge("ml_drift_feature_ks_statistic", "Two-sample Kolmogorov-Smirnov statistic of a numeric feature.", ["endpoint", "feature"], registry=registry)
        ks_pvalue = Gauge("ml_drift_feature_ks_pvalue", "p-value of the two-sample Kolmogorov-Smirnov test of a numeric feature.", ["endpoint", "feature"], registry=registry)
        for feature, r in results.items():
            feature_psi.labels(endpoint, feature).set(r["psi"])
            if "ks_statistic" in r:
                ks_statistic.labels(endpoint, feature).set(r["ks_statistic"])
                ks_pvalue.labels(endpoint, feature).set(r["ks_pvalue"])
        score = Gauge("ml_drift_score", "Input drift of the endpoint: the largest feature PSI.", ["endpoint"], registry=registry)
        score.labels(endpoint).set(max(r["psi"] for r in results.values()))
    last = Gauge("ml_drift_last_success_timestamp_seconds", "When the drift job last completed (Unix time).", ["endpoint"], registry=registry)
    last.labels(endpoint).set(now)
    return registry


def main():
    features = [f.strip() for f in os.environ["FEATURES"].split(",") if f.strip()]
    if not features:
        raise ValueError("FEATURES is empty")
    endpoint = os.environ["ENDPOINT"]
    window_days = int(os.environ.get("WINDOW_DAYS", "1"))
    min_samples = int(os.environ.get("MIN_SAMPLES", "100"))
    bins = int(os.environ.get("BINS", "10"))
    now = datetime.datetime.now(datetime.timezone.utc)
    today = now.date()

    s3 = boto3.client("s3")
    ref_bucket, ref_key = split_s3(os.environ["REFERENCE_URI"])
    reference = parse_records(read_text(s3, ref_bucket, ref_key), ref_key)
    current = recent_records(s3, os.environ["INFERENCE_LOG_URI"], window_days, today)
    results = None
    if len(current) < min_samples:
        print("drift: %d recent records (< MIN_SAMPLES %d): no score this run" % (len(current), min_samples), file=sys.stderr)
    else:
        results = compute(reference, current, features, bins)
    registry = metrics(endpoint, results, len(reference), len(current), min_samples, now.timestamp())
    print(json.dumps({"endpoint": endpoint, "reference": len(reference), "current": len(current), "features": results}, sort_keys=True))
    if os.environ.get("METRICS_FILE"):
        write_to_textfile(os.environ["METRICS_FILE"], registry)
    if os.environ.get("PUSHGATEWAY_URL"):
        push_to_gateway(os.environ["PUSHGATEWAY_URL"], job="ml-drift", grouping_key={"endpoint": endpoint}, registry=registry)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # one line for the Job's log; a non-zero exit fails the Job
        print("drift: failed: %s: %s" % (type(error).__name__, error), file=sys.stderr)
        sys.exit(1)
`;
