#!/usr/bin/env python3
"""Continue training a webgpu-mlp model past one machine with PyTorch DistributedDataParallel.

(This folder, test/interop/, is the project's examples folder for interop.)

Input: a model and a training set exported by the library:
    import { toSafetensors, datasetToSafetensors } from 'webgpu-mlp/interop';
    model.safetensors <- await toSafetensors(model)
    data.safetensors  <- await datasetToSafetensors(model, x, y)
Output: the trained model as safetensors with the same tensor names and config, which
`fromSafetensors(bytes)` imports back.

Each process trains a shard of every epoch (DistributedSampler); DDP averages the gradients.
The process group is set up from the environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
MASTER_PORT), with NCCL when GPUs exist and gloo on CPUs, so the script runs unchanged under
torchrun on a cluster:

    torchrun --nnodes 2 --nproc-per-node 4 --rdzv-backend c10d --rdzv-endpoint head:29500 \
        ddp_train.py --model model.safetensors --data data.safetensors --out trained.safetensors

Without torchrun (one machine), either set those variables per process yourself, or let the
script start the processes (torch.multiprocessing.spawn, on 127.0.0.1 and a free port unless
MASTER_ADDR / MASTER_PORT are set):

    python3 ddp_train.py --nprocs 2 --model model.safetensors --data data.safetensors --out trained.safetensors

Rank 0 prints one JSON line per epoch ({"epoch", "loss"}) and, with --report, writes a JSON file
with the losses and the trained model's predictions on the training inputs.
"""
import argparse
import json
import os
import socket
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io as sio  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help="model exported with toSafetensors")
    p.add_argument("--data", required=True, help="training set exported with datasetToSafetensors")
    p.add_argument("--out", required=True, help="where rank 0 writes the trained model")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=32, help="samples per process per step")
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--optimizer", choices=["sgd", "momentum", "adam"], default="sgd")
    p.add_argument("--seed", type=int, default=0, help="shuffling seed (the same on every rank)")
    p.add_argument("--nprocs", type=int, default=1, help="processes to spawn when RANK is not set")
    p.add_argument("--report", help="rank 0 writes losses and predictions (JSON) here")
    return p.parse_args(argv)


def make_optimizer(name, params, lr):
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    return torch.optim.SGD(params, lr=lr, momentum=0.9 if name == "momentum" else 0.0)


def full_loss(model, config, x, y):
    """The library's training loss on the whole set, with its L2 term (λ/(2m)·ΣW²)."""
    with torch.no_grad():
        return float(objective(model, config, model(x), y))


def objective(model, config, output, target):
    loss = sio.loss_fn(config["loss"], output, target)
    l2 = config.get("l2", 0) or 0
    if l2:
        weights = [m.weight for m in model.modules() if isinstance(m, torch.nn.Linear)]
        loss = loss + l2 / (2 * target.shape[0]) * sum((w**2).sum() for w in weights)
    return loss


def train(args):
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", rank))
    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo", init_method="env://", rank=rank, world_size=world)
    if cuda:
        torch.cuda.set_device(local_rank)
    else:
        torch.set_num_threads(1)
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")

    model, config, metadata = sio.load_model(args.model)
    model.to(device)
    data, _ = sio.load(args.data)
    x, y = data["inputs"].float(), data["targets"].float()
    ddp = DistributedDataParallel(model, device_ids=[local_rank] if cuda else None)
    sampler = DistributedSampler(TensorDataset(x, y), num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, sampler=sampler)
    optimizer = make_optimizer(args.optimizer, ddp.parameters(), args.lr)
    xd, yd = x.to(device), y.to(device)
    initial = full_loss(model, config, xd, yd)
    epochs = []
    for epoch in range(1, args.epochs + 1):
        sampler.set_epoch(epoch)
        total = torch.zeros(2, device=device)
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            loss = objective(ddp.module, config, ddp(xb), yb)
            loss.backward()
            optimizer.step()
            total += torch.stack([loss.detach() * xb.shape[0], torch.tensor(float(xb.shape[0]), device=device)])
        dist.all_reduce(total)
        epochs.append(float(total[0] / total[1]))
        if rank == 0:
            print(json.dumps({"epoch": epoch, "loss": epochs[-1]}), flush=True)
    final = full_loss(model, config, xd, yd)
    if rank == 0:
        sio.save(args.out, {k: v.float() for k, v in model.state_dict().items()}, metadata)
        if args.report:
            with torch.no_grad():
                predictions = model(xd).cpu().tolist()
            report = {"worldSize": world, "backend": dist.get_backend(), "initialLoss": initial, "finalLoss": final, "epochLosses": epochs, "predictions": predictions}
            with open(args.report, "w") as f:
                json.dump(report, f)
    dist.barrier()
    dist.destroy_process_group()


def spawned(index, args):
    os.environ.update(RANK=str(index), LOCAL_RANK=str(index), WORLD_SIZE=str(args.nprocs))
    train(args)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    arguments = parse_args()
    if "RANK" in os.environ:  # torchrun, or the environment set per process
        train(arguments)
    else:
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", str(free_port()))
        mp.spawn(spawned, args=(arguments,), nprocs=arguments.nprocs, join=True)
