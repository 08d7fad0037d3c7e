"""Times torch's own compute_curve (the computation behind SummaryWriter.add_pr_curve) on the bench's data.

Usage: /usr/bin/python3 torch_pr_curves.py <labels.u8> <probabilities.f32> <classes> <num_thresholds> <repeats>
Prints one JSON line: per-repeat seconds for the 10 curves, and the float32 [6, N] tensors (base64) for comparison.

torch.utils.tensorboard needs the `tensorboard` package for its protos; where it is missing, compute_curve is taken
from torch's installed summary.py source (the function alone, which needs only NumPy), so what is timed is still
torch's code, minus the proto construction.
"""
import ast
import base64
import json
import os
import sys
import time

import numpy as np
import torch

try:
    from torch.utils.tensorboard.summary import compute_curve
    source = "torch.utils.tensorboard.summary"
except ImportError:
    path = os.path.join(os.path.dirname(torch.utils.__file__), "tensorboard", "summary.py")
    text = open(path).read()
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == "compute_curve")
    scope = {"np": np}
    exec(compile(ast.Module(body=[node], type_ignores=[]), path, "exec"), scope)
    compute_curve = scope["compute_curve"]
    source = path + " (compute_curve only: no tensorboard module)"

labels_path, probs_path, classes, num_thresholds, repeats = sys.argv[1:6]
classes, num_thresholds, repeats = int(classes), int(num_thresholds), int(repeats)
test_label = torch.from_numpy(np.fromfile(labels_path, dtype=np.uint8).astype(np.int64))
test_probs = torch.from_numpy(np.fromfile(probs_path, dtype=np.float32).reshape(-1, classes))


def all_curves():
    # The tutorial: add_pr_curve(classes[i], test_label == i, test_probs[:, i]); add_pr_curve calls make_np on both.
    out = []
    for i in range(classes):
        labels = (test_label == i).numpy()
        predictions = test_probs[:, i].numpy()
        out.append(compute_curve(labels, predictions, num_thresholds=min(num_thresholds, 127)))
    return out


all_curves()  # warm-up
seconds = []
for _ in range(repeats):
    t = time.perf_counter()
    curves = all_curves()
    seconds.append(time.perf_counter() - t)
tensors = [base64.b64encode(c.astype(np.float32).tobytes()).decode() for c in curves]
print(json.dumps({"source": source, "torch": torch.__version__, "numpy": np.__version__, "seconds": seconds, "tensors": tensors}))
