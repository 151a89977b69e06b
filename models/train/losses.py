"""DeepFill v1 losses: spatially discounted l1 in the hole, l1 on known pixels, WGAN-GP terms."""
import math

import torch
import torch.nn.functional as F

# Weights below this are treated as equal to it: stops the distance transform early (gamma 0.9: 88 px).
SMALLEST_WEIGHT = 1e-4


def discount_weights(mask, gamma):
    """gamma ** d for hole pixels, d = chessboard distance to the nearest known pixel minus one; 0 elsewhere.

    Pixels on the hole's rim get 1 and the weight decays towards its middle. The image border counts as
    known, so for a rectangle this is the paper's gamma ** (distance to the rectangle's nearest side),
    and for free-form holes it measures the distance inside the hole.
    """
    hole = mask > 0.5
    steps = min(max(mask.shape[-2:]) // 2 + 1,
                math.ceil(math.log(SMALLEST_WEIGHT) / math.log(gamma)) if gamma < 1 else 0)
    # Grows the known pixels by one a step (a 3x3 dilation as row and column ORs of bytes, the padding being the
    # known border) and counts the steps each hole pixel stays unknown: a tenth of a batch's time of the float
    # min-pools it replaced on a CPU step, with the same weights bit for bit (one float32 gamma ** d each).
    known = F.pad(~hole, (1, 1, 1, 1), value=True)
    distance = torch.zeros(hole.shape, dtype=torch.uint8 if steps < 256 else torch.int32, device=mask.device)
    for _ in range(steps):
        rows = known[..., :, :-2] | known[..., :, 1:-1] | known[..., :, 2:]
        grown = rows[..., :-2, :] | rows[..., 1:-1, :] | rows[..., 2:, :]
        if bool(grown.all()):
            break
        known[..., 1:-1, 1:-1] = grown
        distance += ~grown
    powers = torch.tensor([gamma ** d for d in range(steps + 1)], dtype=torch.float32, device=mask.device)
    return powers[distance.long()] * hole


def hole_l1(target, output, mask, weights):
    """Discounted l1 averaged over hole pixels (for the paper's rectangle: the mean over its box)."""
    return (torch.abs(target - output) * weights).sum() / (3 * mask.sum()).clamp_min(1)


def known_l1(target, output, mask):
    """l1 on the known pixels, normalised by their count (the paper's 'ae' loss)."""
    known = 1 - mask
    return (torch.abs(target - output) * known).sum() / (3 * known.sum()).clamp_min(1)


def wgan_gp_terms(critic, real, fake, mask):
    """Mean critic scores of real and fake, and the gradient penalty masked to the hole.

    The penalty is E[(||mask * grad_x D(x)||_2 - 1)^2] at random points between real and fake, as in
    the authors' v1 code; one critic pass scores real, fake and the interpolates together.
    """
    n = real.shape[0]
    alpha = torch.rand(n, 1, 1, 1, device=real.device, dtype=real.dtype)
    mixed = (real + alpha * (fake - real)).detach().requires_grad_(True)
    scores = critic(torch.cat([real, fake, mixed])).float()
    grad, = torch.autograd.grad(scores[2 * n:].sum(), mixed, create_graph=True)
    # the small constant keeps sqrt differentiable where the masked gradient vanishes
    norm = ((grad.float() * mask) ** 2).flatten(1).sum(1).add(1e-12).sqrt()
    return scores[:n].mean(), scores[n:2 * n].mean(), ((norm - 1) ** 2).mean()
