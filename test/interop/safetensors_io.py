"""safetensors files and webgpu-mlp models with torch alone (no `safetensors` package needed).

The format: an 8-byte little-endian header length N, N bytes of JSON
({name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}), then the
tensors' raw little-endian bytes. A model exported by webgpu-mlp (toSafetensors) names its tensors
as the state_dict of nn.Sequential(Linear, activation, Linear, activation, ...) (a LayerNorm or a
BatchNorm1d after the Linear of a layer with norm: 'layer' or 'batch') and keeps its config
as JSON in __metadata__["webgpu-mlp"]; a training set (datasetToSafetensors) holds "inputs" and
"targets".
"""
import json
import struct
import sys

import torch
from torch import nn

CONFIG_KEY = "webgpu-mlp"
DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
NAMES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
ACTIVATIONS = {
    "sigmoid": lambda layer: nn.Sigmoid(),
    "tanh": lambda layer: nn.Tanh(),
    "relu": lambda layer: nn.ReLU(),
    "linear": lambda layer: nn.Identity(),
    "softmax": lambda layer: nn.Softmax(dim=-1),
    "leakyRelu": lambda layer: nn.LeakyReLU(layer.get("alpha", 0.01)),
    "elu": lambda layer: nn.ELU(layer.get("alpha", 1.0)),
    "selu": lambda layer: nn.SELU(),
    "gelu": lambda layer: nn.GELU(),
    "geluTanh": lambda layer: nn.GELU(approximate="tanh"),
    "silu": lambda layer: nn.SiLU(),
    "softplus": lambda layer: nn.Softplus(),
    "mish": lambda layer: nn.Mish(),
}

if sys.byteorder != "little":
    raise SystemExit("safetensors_io.py assumes a little-endian machine")


def load(path):
    """Returns ({name: tensor}, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError(f"{path}: header length {n} exceeds the file ({len(data)} bytes)")
    header = json.loads(data[8 : 8 + n])
    metadata = header.pop("__metadata__", None) or {}
    body = data[8 + n :]
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        raw = bytearray(body[begin:end])
        flat = torch.frombuffer(raw, dtype=DTYPES[entry["dtype"]]) if raw else torch.empty(0, dtype=DTYPES[entry["dtype"]])
        tensors[name] = flat.reshape(entry["shape"])
    return tensors, metadata


def save(path, tensors, metadata=None):
    """Writes {name: tensor} (float32 or float64, kept as given) with optional string metadata."""
    header = {"__metadata__": metadata} if metadata else {}
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        raw = t.numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


class ResidualSequential(nn.Sequential):
    """nn.Sequential(Linear, [LayerNorm,] activation, ...) whose residual layers compute x + act(LN(Linear(x))).

    The state_dict names are those of the plain nn.Sequential ('0.weight', '2.weight', ...).
    `sizes` holds each layer's module count (2, or 3 with a LayerNorm).
    """

    def __init__(self, modules, residual, sizes):
        super().__init__(*modules)
        self.residual = residual
        self.sizes = sizes

    def forward(self, x):
        k = 0
        for skip, n in zip(self.residual, self.sizes):
            h = x
            for m in range(n):
                h = self[k + m](h)
            k += n
            x = x + h if skip else h
        return x


def sequential(config):
    """nn.Sequential(Linear, [LayerNorm or BatchNorm1d,] activation, ...) for a webgpu-mlp config (ResidualSequential when a layer is residual)."""
    modules, sizes, fan_in = [], [], config["inputSize"]
    for layer in config["layers"]:
        modules.append(nn.Linear(fan_in, layer["units"], bias=config.get("useBias", True)))
        if layer.get("norm") == "layer":
            modules.append(nn.LayerNorm(layer["units"], eps=layer.get("normEpsilon", 1e-5)))
        if layer.get("norm") == "batch":
            modules.append(nn.BatchNorm1d(layer["units"], eps=layer.get("normEpsilon", 1e-5), momentum=layer.get("normMomentum", 0.1)))
        modules.append(ACTIVATIONS[layer["activation"]](layer))
        sizes.append(3 if layer.get("norm") else 2)
        fan_in = layer["units"]
    residual = [bool(layer.get("residual", False)) for layer in config["layers"]]
    return ResidualSequential(modules, residual, sizes) if any(residual) else nn.Sequential(*modules)


def load_model(path):
    """(model, config, metadata) from a safetensors model exported by webgpu-mlp."""
    tensors, metadata = load(path)
    config = json.loads(metadata[CONFIG_KEY])
    model = sequential(config)
    model.load_state_dict({k: v.to(torch.float32) if v.is_floating_point() else v for k, v in tensors.items()}, strict=True)
    return model, config, metadata


def loss_fn(name, output, target):
    """The library's losses, each the mean over samples of the per-sample loss."""
    eps = 1e-7
    if name == "sse":
        return 0.5 * ((output - target) ** 2).sum(1).mean()
    if name == "mse":
        return ((output - target) ** 2).mean(1).mean()
    if name == "binaryCrossEntropy":
        o = output.clamp(eps, 1 - eps)
        return -(target * o.log() + (1 - target) * (1 - o).log()).sum(1).mean()
    if name == "categoricalCrossEntropy":
        return -(target * output.clamp_min(eps).log()).sum(1).mean()
    raise ValueError(f"unknown loss {name!r}")
