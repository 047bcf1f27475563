#!/bin/bash
cd native
nvidia-smi --query-gpu=name --format=csv,noheader
for c in scan_check attention_check loss_check; do
  timeout 90 ./$c > $OUT/$c.log 2>&1; echo "$c rc=$?" | tee -a $OUT/summary.txt
done
for c in scan_check attention_check loss_check; do echo "== $c"; grep -E "FAIL|PASS|us$|^scan|^attention|^ctc|^cross" $OUT/$c.log | head -60; done
