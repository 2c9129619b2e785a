"""Print our figures and scikit-learn's side by side, with ratios and the targets."""
import json, sys

title, ours, sk = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(f"\n== {title} ==")
print(f"{'metric':<26}{'AqylML':>14}{'scikit-learn':>14}{'ratio ours/sk':>15}")
for key, fmt in (("fit_s", "{:.2f}"), ("predict_rows_per_s", "{:,.0f}"), ("predict_rows_per_s_1thread", "{:,.0f}"), ("single_row_us", "{:.1f}"),
                 ("accuracy", "{:.4f}"), ("macro_f1", "{:.4f}"), ("nodes", "{:,}")):
    a, b = ours[key], sk[key]
    print(f"{key:<26}{fmt.format(a):>14}{fmt.format(b):>14}{(a / b if b else float('nan')):>15.3f}")
if "load_s" in ours:
    print(f"{'load_s (ours: CSV files -> tables)':<40}{ours['load_s']:.3f}")
if len(sys.argv) > 4 and sys.argv[4] == "speed":
    fit_ok = ours["fit_s"] <= 0.2 * sk["fit_s"]
    acc_ok = ours["accuracy"] >= sk["accuracy"] - 0.005
    pred_ok = ours["predict_rows_per_s"] >= 2 * sk["predict_rows_per_s"]
    single_ok = ours["single_row_us"] < 50
    print(f"target fit <= 0.2x sklearn: {'MET' if fit_ok else 'NOT MET'} ({ours['fit_s'] / sk['fit_s']:.3f}x)")
    print(f"target accuracy >= sklearn - 0.005: {'MET' if acc_ok else 'NOT MET'} ({ours['accuracy'] - sk['accuracy']:+.4f})")
    print(f"target batch predict >= 2x sklearn: {'MET' if pred_ok else 'NOT MET'} ({ours['predict_rows_per_s'] / sk['predict_rows_per_s']:.2f}x with 2 threads each; "
          f"{ours['predict_rows_per_s_1thread'] / sk['predict_rows_per_s_1thread']:.2f}x with 1 thread each)")
    print(f"target single row < 50 us: {'MET' if single_ok else 'NOT MET'} ({ours['single_row_us']:.1f} us)")
else:
    ok = ours["macro_f1"] >= sk["macro_f1"]
    print(f"target macro-F1 >= sklearn: {'MET' if ok else 'NOT MET'} ({ours['macro_f1'] - sk['macro_f1']:+.4f})")
