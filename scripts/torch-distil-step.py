#!/usr/bin/env python3
"""PyTorch's figure for one distillation step, as issue 15 defines the comparison: a BERT-base
teacher forward (eval mode, no gradients) plus a DistilBERT-base student fine-tuning step
(forward, cross-entropy, backward, clipping, AdamW), both from ../shared/anchors/torch_train_step.py
(its Classifier and its step, imported, unchanged). distil4j's distillation step does more than
this: both models also run their MLM heads (a 768 x 30522 projection per token) and the student's
loss has three terms. So the comparison leans towards PyTorch.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 scripts/torch-distil-step.py \
        --threads 2 --batch 16 --seq 128

Prints: TORCH-DISTIL threads=.. batch=.. seq=.. step_ms=... tok_s=... (median of --steps after 2 warm-up steps)"""
import argparse, importlib.util, os, statistics, time

import torch
from torch import nn


def load_anchor(shared):
    path = os.path.join(shared, "anchors", "torch_train_step.py")
    spec = importlib.util.spec_from_file_location("torch_train_step", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    a = ap.parse_args()
    anchor = load_anchor(a.shared)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    teacher = anchor.Classifier("bert-base").eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    student = anchor.Classifier("distilbert-base").train()
    opt = torch.optim.AdamW(student.parameters(), lr=2e-5, weight_decay=0.01)
    ids = torch.randint(1000, 30000, (a.batch, a.seq))
    mask = torch.ones(a.batch, a.seq, dtype=torch.long)
    labels = torch.randint(0, 2, (a.batch,))
    times = []
    for i in range(a.steps + 2):
        t = time.perf_counter()
        with torch.no_grad():
            teacher(ids, mask)
        opt.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(student(ids, mask), labels)
        loss.backward()
        nn.utils.clip_grad_norm_(student.parameters(), 1.0)
        opt.step()
        if i >= 2:
            times.append(time.perf_counter() - t)
    m = statistics.median(times)
    print(f"TORCH-DISTIL threads={a.threads} batch={a.batch} seq={a.seq} step_ms={m * 1e3:.0f} "
          f"tok_s={a.batch * a.seq / m:.0f} min_ms={min(times) * 1e3:.0f} max_ms={max(times) * 1e3:.0f} "
          f"torch={torch.__version__}", flush=True)


if __name__ == "__main__":
    main()
