"""PyTorch reference for bench/train-throughput.ts: the same networks, data sizes and SGD steps.

usage: python3 bench/torch_reference.py --workload mlp256|mlp1024|cnn|resnet18-reduced [--passes 3] [--seconds 4] [--threads 1]

Prints one JSON line like the TypeScript benchmark. One intra-op thread by default: on this
2-core machine that is PyTorch's fastest setting (OpenMP spinning collides with anything else
running).
"""
import argparse
import json
import os
import statistics
import time

import torch
from torch import nn

WORKLOADS = {
    "mlp256": {"batch": 32, "hidden": 256},
    "mlp1024": {"batch": 256, "hidden": 1024},
    "cnn": {"batch": 64},
    "resnet18-reduced": {"batch": 32},
}


class BasicBlock(nn.Module):
    """relu(bn(conv3x3(relu(bn(conv3x3(x, stride))))) + shortcut(x)), as src/models/resnet.ts builds it."""

    def __init__(self, inputs, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or inputs != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(inputs, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


def reduced_resnet18(nf=20, classes=10):
    """Lopez-Paz & Ranzato's reduced ResNet-18: stem conv3x3, 4 stages of 2 blocks (nf..8nf), avg pool, linear."""
    layers = [nn.Conv2d(3, nf, 3, 1, 1, bias=False), nn.BatchNorm2d(nf), nn.ReLU()]
    inputs = nf
    for stage, stride in enumerate([1, 2, 2, 2]):
        planes = nf * 2 ** stage
        layers += [BasicBlock(inputs, planes, stride), BasicBlock(planes, planes, 1)]
        inputs = planes
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(inputs, classes)]
    return nn.Sequential(*layers)


def build(name):
    if name == "resnet18-reduced":
        return reduced_resnet18()
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10),
        )
    hidden = WORKLOADS[name]["hidden"]
    return nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workload", default="mlp256", choices=sorted(WORKLOADS))
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    batch = WORKLOADS[args.workload]["batch"]
    samples = batch * 32
    shape = {"cnn": (samples, 1, 28, 28), "resnet18-reduced": (samples, 3, 32, 32)}.get(args.workload, (samples, 784))
    x = torch.randn(*shape)
    y = torch.randint(0, 10, (samples,))
    xs, ys = x.split(batch), y.split(batch)
    model = build(args.workload)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    def step(xb, yb):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        return loss.item()

    for i in range(args.warmup):
        step(xs[i % len(xs)], ys[i % len(ys)])
    rates, loss = [], float("nan")
    for _ in range(args.passes):
        t0 = time.perf_counter()
        n, i = 0, 0
        while True:
            loss = step(xs[i], ys[i])
            n += batch
            i = (i + 1) % len(xs)
            if time.perf_counter() - t0 > args.seconds:
                break
        rates.append(n / (time.perf_counter() - t0))
    print(json.dumps({
        "backend": "pytorch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "workload": args.workload,
        "step": "torch",
        "samplesPerSecond": round(statistics.median(rates)),
        "passes": [round(r) for r in rates],
        "lastLoss": round(loss, 4),
    }))


if __name__ == "__main__":
    main()
