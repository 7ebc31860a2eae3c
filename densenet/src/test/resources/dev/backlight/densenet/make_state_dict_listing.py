# Writes torchvision's DenseNet-201 state-dict keys and shapes (architecture only, no weights are
# downloaded) and the parameter counts of all four ImageNet DenseNets, as an independent
# reference for the graph builder's names and shapes. Run with Debian's python3-torchvision:
#   /usr/bin/python3 make_state_dict_listing.py
import torchvision

with open("densenet201_state_dict.txt", "w") as f:
    f.write("# torchvision %s densenet201().state_dict(): name<TAB>shape\n" % torchvision.__version__)
    for name, t in torchvision.models.densenet201().state_dict().items():
        f.write("%s\t%s\n" % (name, ",".join(str(d) for d in t.shape)))

with open("densenet_parameter_counts.txt", "w") as f:
    f.write("# torchvision %s: sum of numel() over parameters() (running statistics excluded)\n" % torchvision.__version__)
    for arch in ("densenet121", "densenet161", "densenet169", "densenet201"):
        model = getattr(torchvision.models, arch)()
        f.write("%s\t%d\n" % (arch, sum(p.numel() for p in model.parameters())))
