#!/usr/bin/python3
"""PyTorch peer of bench/networks.ts accuracy for an RGB network: one epoch of FashionMNIST made RGB (grey repeated
to 3 channels, zero-padded 28→32 as black, like the bench does for our engine), batch 4, SGD(0.001, 0.9), test
accuracy. The network is torch_reference.py's `build` of the JSON spec (imported from --reference). Prints one JSON line.
"""
import argparse, importlib.util, json, time
import torch, torch.nn as nn, torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--reference', required=True); p.add_argument('--network', required=True)
p.add_argument('--seed', type=int, default=0); p.add_argument('--steps', type=int, default=15000); p.add_argument('--data', default='/usr/share/datasets/fashion-mnist')
a = p.parse_args()
spec = importlib.util.spec_from_file_location('torch_reference', a.reference)
ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)
torch.set_num_threads(1); torch.manual_seed(a.seed)

def rgb(x):  # [N, 1, 28, 28] normalised → [N, 3, 32, 32], padding = normalised black (-1)
    return F.pad(x, (2, 2, 2, 2), value=-1.0).repeat(1, 3, 1, 1).contiguous()

xtr, ytr = ref.load('train', a.data); xte, yte = ref.load('t10k', a.data)
perm = torch.randperm(xtr.shape[0]); xs, ys = rgb(xtr[perm]), ytr[perm].contiguous()
net = ref.build(json.load(open(a.network)), (3, 32, 32))
opt = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
t = time.perf_counter(); ref.steps(net, opt, xs, ys, 4, a.steps); train_s = time.perf_counter() - t
net.eval(); xte = rgb(xte)
with torch.no_grad():
    pred = torch.cat([net(xte[s:s + 1000]).argmax(1) for s in range(0, 10000, 1000)])
print(json.dumps({'engine': f'torch {torch.__version__}', 'network': a.network, 'train_s': round(train_s, 2),
                  'test_accuracy': (pred == yte).float().mean().item()}), flush=True)
