"""WGAN critics of DeepFill v1 and the crop that feeds the local one."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Critic(nn.Module):
    """5x5 stride-2 convs with leaky ReLU, then one dense layer to a single score per image."""

    def __init__(self, widths, size):
        super().__init__()
        if size % 2 ** len(widths):
            raise ValueError(f"critic input size {size} must be a multiple of {2 ** len(widths)}")
        layers, cin = [], 3
        for cout in widths:
            layers += [nn.Conv2d(cin, cout, 5, stride=2, padding=2), nn.LeakyReLU(0.2)]
            cin = cout
        self.features = nn.Sequential(*layers)
        side = size // 2 ** len(widths)
        self.dense = nn.Linear(cin * side * side, 1)

    def forward(self, x):
        return self.dense(self.features(x).flatten(1)).squeeze(1)


def global_critic(cnum, size):
    return Critic([cnum, 2 * cnum, 4 * cnum, 4 * cnum], size)


def local_critic(cnum, size):
    return Critic([cnum, 2 * cnum, 4 * cnum, 8 * cnum], size)


def crop_boxes(images, boxes, size):
    """Bilinear crop of each image's box (top, left, height, width) resized to size x size.

    Resizing lets one local critic see rectangles and free-form holes of any extent; the crop is
    differentiable in images, so the generator's adversarial gradient flows through it.
    """
    n, c, h, w = images.shape
    top, left, bh, bw = boxes.to(images.device, torch.float32).unbind(1)
    theta = torch.zeros(n, 2, 3, device=images.device)
    # affine_grid maps output [-1, 1] to input coordinates whose [-1, 1] spans the whole image
    theta[:, 0, 0] = bw / w
    theta[:, 0, 2] = (2 * left + bw) / w - 1
    theta[:, 1, 1] = bh / h
    theta[:, 1, 2] = (2 * top + bh) / h - 1
    grid = F.affine_grid(theta, [n, c, size, size], align_corners=False)
    return F.grid_sample(images, grid.to(images.dtype), mode="bilinear", padding_mode="border",
                         align_corners=False)
