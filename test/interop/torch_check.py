"""The PyTorch side of test/interop-safetensors.test.ts. Prints one JSON object on stdout.

  torch_check.py predict MODEL INPUTS_JSON
      loads a model exported by webgpu-mlp into nn.Sequential (strict state_dict) and prints the
      state_dict's names and shapes, the module types and its predictions on the inputs.
  torch_check.py export OUT INPUTS_JSON DTYPE
      builds a seeded PyTorch model (Linear, ReLU, Dropout, Linear, Tanh, Linear, Softmax), trains
      it a few steps, saves its state_dict (DTYPE F32 or F64, no webgpu-mlp metadata) and prints its
      predictions on the inputs in eval mode.
"""
import json
import sys

import torch
from torch import nn

import safetensors_io as sio

torch.set_num_threads(1)


def read_inputs(path):
    with open(path) as f:
        return torch.tensor(json.load(f), dtype=torch.float32)


def predict(model_path, inputs_path):
    model, config, _ = sio.load_model(model_path)
    model.eval()
    with torch.no_grad():
        out = model(read_inputs(inputs_path))
    shapes = {k: list(v.shape) for k, v in model.state_dict().items()}
    dtypes = {k: str(v.dtype).replace("torch.", "") for k, v in model.state_dict().items()}
    print(json.dumps({"state": shapes, "dtypes": dtypes, "modules": [type(m).__name__ for m in model], "config": config, "predictions": out.tolist()}))


def export(out_path, inputs_path, dtype):
    torch.manual_seed(5)
    model = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Dropout(0.1), nn.Linear(7, 6), nn.Tanh(), nn.Linear(6, 3), nn.Softmax(dim=-1))
    x = torch.randn(64, 5)
    y = torch.nn.functional.one_hot(torch.randint(0, 3, (64,)), 3).float()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(20):
        opt.zero_grad()
        sio.loss_fn("categoricalCrossEntropy", model(x), y).backward()
        opt.step()
    model.eval()
    if dtype == "F64":
        model = model.double()
    sio.save(out_path, model.state_dict())
    with torch.no_grad():
        out = model(read_inputs(inputs_path).to(next(model.parameters()).dtype))
    print(json.dumps({"names": list(model.state_dict().keys()), "predictions": out.tolist()}))


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    {"predict": predict, "export": export}[command](*rest)
