#!/usr/bin/env bash
# Tuning on a seeded 80/20 split of train.csv (never val.csv): train on train_a, score on train_b.
# Usage: Benchmarks/triage/tune.sh NAME [train options...]
set -euo pipefail
cd "$(dirname "$0")/../.."
name=$1; shift
bin=".build/release/aqyl triage"
$bin train --data Benchmarks/triage/out/train_a.csv --out Benchmarks/triage/out/tune.model.json --label-values scores "$@" 2>Benchmarks/triage/out/tune.log
oof=$(grep -o "out-of-fold micro-F1 [0-9.]*" Benchmarks/triage/out/tune.log | awk '{print $3}')
secs=$(grep -o "trained in [0-9.]* s" Benchmarks/triage/out/tune.log | awk '{print $3}')
res=$($bin evaluate --model Benchmarks/triage/out/tune.model.json --data Benchmarks/triage/out/train_b.csv --label-values scores 2>/dev/null | head -1)
echo "$name | $* | oof=$oof | split: $res | ${secs}s" | tee -a Benchmarks/triage/out/tune_results.txt
