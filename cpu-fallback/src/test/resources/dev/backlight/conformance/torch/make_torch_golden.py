# Golden outputs from PyTorch for the conformance suite: torchvision's DenseNet-121 in float64,
# with Backlight's seeded random weights, on one seeded 64x64 input.
#
#   1. Write the weights and the input with the Java helper (see TorchAgreementConformance):
#        WriteTorchGoldenInputs <dir>   -> <dir>/weights.safetensors, <dir>/input.npy
#   2. /usr/bin/python3 make_torch_golden.py <dir>      (Debian python3-torch + python3-torchvision)
#
# Writes logits.npy [1,1000] and gradient.npy / guided.npy / deconvnet.npy [1,3,64,64] (float32
# copies of float64 results) for each image's top-1 class. Guided Backprop and Deconvnet replace
# EVERY ReLU, including the functional one after norm5, with a custom autograd function.
import json
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        b, e = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[b:e], dtype="<f4").reshape(info["shape"]).copy())
    return out


class RuleRelu(torch.autograd.Function):
    rule = "vanilla"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        if RuleRelu.rule == "guided":
            return dy.clamp(min=0) * (x > 0)
        if RuleRelu.rule == "deconvnet":
            return dy.clamp(min=0)
        return dy * (x > 0)


class RuleReluModule(torch.nn.Module):
    def forward(self, x):
        return RuleRelu.apply(x)


def replace_relus(module):
    for name, child in module.named_children():
        if isinstance(child, torch.nn.ReLU):
            setattr(module, name, RuleReluModule())
        else:
            replace_relus(child)


def main(folder):
    torch.manual_seed(0)
    model = torchvision.models.densenet121()
    state = read_safetensors(folder + "/weights.safetensors")
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    model = model.double().eval()
    replace_relus(model)
    # torchvision applies the last ReLU as F.relu inside DenseNet.forward: route it through the rule too.
    torchvision.models.densenet.F.relu = lambda x, inplace=False: RuleRelu.apply(x)
    x = torch.from_numpy(np.load(folder + "/input.npy")).double()
    for rule, out_name in (("vanilla", "gradient"), ("guided", "guided"), ("deconvnet", "deconvnet")):
        RuleRelu.rule = rule
        xg = x.clone().requires_grad_(True)
        logits = model(xg)
        top = logits.argmax(dim=1)
        logits.gather(1, top[:, None]).sum().backward()
        np.save(folder + "/" + out_name + ".npy", xg.grad.numpy().astype("<f4"))
    np.save(folder + "/logits.npy", logits.detach().numpy().astype("<f4"))
    print("top-1:", top.tolist(), "torch", torch.__version__, "torchvision", torchvision.__version__)


if __name__ == "__main__":
    main(sys.argv[1])
