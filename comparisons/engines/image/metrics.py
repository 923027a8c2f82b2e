"""The measurements of two pictures already brought to one size: SSIM (Wang et al. 2004), MSE and
PSNR, a perceptual hash, and tone matching. All work on luminance, as SSIM is defined (PSNR is
thus Y-PSNR); colour is what the per-pixel difference (`pixels.py`) looks at.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from comparisons.engines.image.decode import F32, U8, Mask, f32, u8

# Wang et al. (2004): 11x11 Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03, L = 255.
SSIM_C1 = (0.01 * 255) ** 2
SSIM_C2 = (0.03 * 255) ** 2
SSIM_WINDOW = (11, 11)
SSIM_SIGMA = 1.5


class SsimReference:
    """SSIM as Wang et al. (2004) and skimage's structural_similarity with gaussian_weights=True,
    use_sample_covariance=False, data_range=255, with OpenCV's separable Gaussian blur doing the
    filtering (several times faster than scipy's). file1's local statistics are computed once,
    then compared against as many versions of file2 as needed (raw, tone-matched)."""

    def __init__(self, x: F32) -> None:
        self.x = x
        self.mu = _blur(x)
        self.mu_sq = self.mu * self.mu
        self.var = _blur(x * x) - self.mu_sq

    def against(self, y: F32) -> tuple[float, F32]:
        """Mean SSIM (over the area where the window fits, as skimage does) and the SSIM map."""
        mu_y = _blur(y)
        mu_yy, mu_xy = mu_y * mu_y, self.mu * mu_y
        var_y, cov = _blur(y * y), _blur(self.x * y)
        var_y -= mu_yy
        cov -= mu_xy
        # (2 mu_xy + C1)(2 cov + C2) / ((mu_x^2 + mu_y^2 + C1)(var_x + var_y + C2)), computed
        # in place: the same float32 operations in the same order, without a temporary each
        ssim_map = np.multiply(mu_xy, 2, out=mu_xy)
        ssim_map += SSIM_C1
        cov *= 2
        cov += SSIM_C2
        ssim_map *= cov
        denominator = np.add(self.mu_sq, mu_yy, out=mu_yy)
        denominator += SSIM_C1
        var_y += self.var
        var_y += SSIM_C2
        denominator *= var_y
        ssim_map /= denominator
        pad = SSIM_WINDOW[0] // 2
        valid = ssim_map[pad:-pad, pad:-pad] if min(ssim_map.shape) > 2 * pad else ssim_map
        return float(valid.mean()), ssim_map


def ssim(x: F32, y: F32) -> tuple[float, F32]:
    return SsimReference(x).against(y)


def _blur(z: F32) -> F32:
    return f32(cv2.GaussianBlur(z, SSIM_WINDOW, SSIM_SIGMA, borderType=cv2.BORDER_REFLECT))


def mse(a: U8, b: U8) -> float:
    """Mean squared error in 0..255 units squared (on luminance, as SSIM is: Y-PSNR)."""
    return float(cv2.norm(a, b, cv2.NORM_L2SQR)) / a.size


def psnr(mse_value: float) -> float:
    """PSNR in dB. Identical images have an infinite PSNR; JSON has no infinity, so it is
    reported as 100 dB (well above the ~50 dB of an invisible difference)."""
    if mse_value <= 1e-10:
        return 100.0
    return float(min(100.0, 10 * np.log10(255.0**2 / mse_value)))


def phash(gray_image: F32) -> int:
    """64-bit perceptual hash (the DCT hash of imagehash.phash): low frequencies above median."""
    small = cv2.resize(gray_image, (32, 32), interpolation=cv2.INTER_AREA)
    low = cv2.dct(small)[:8, :8]
    bits = np.packbits((low > np.median(low)).ravel())
    return int.from_bytes(bits.tobytes(), "big")


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def dissimilarity(ssim_map: F32) -> F32:
    """Where the images differ, 0 (same) .. 1 (unrelated or inverted) per working pixel."""
    return f32(np.clip(1.0 - ssim_map, 0.0, 1.0))


def match_tones(reference: F32, image: F32, mask: Mask | None = None) -> F32:
    """`image` with its grey levels remapped so their histogram matches `reference`'s. This
    undoes any global monotonic tone change - a brightness shift, a contrast or gamma curve,
    evening light - so a relit copy then differs only where its structure differs."""
    image_levels = _levels(image)
    ref = _levels(reference if mask is None else reference[mask])
    img = image_levels if mask is None else image_levels[mask]
    if ref.size == 0 or img.size == 0:
        return image
    ref_counts = _histogram(ref)
    present = ref_counts > 0  # only levels the reference has: its CDF is flat elsewhere, and
    # interpolating over a flat run sent the image's top levels to 255 (an image matched to
    # itself came back with 200 turned into 255)
    ref_cdf = (np.cumsum(ref_counts) / ref.size)[present]
    img_cdf = np.cumsum(_histogram(img)) / img.size
    lut = np.interp(img_cdf, ref_cdf, np.arange(256)[present]).astype(np.float32)
    return f32(cv2.LUT(image_levels, lut))


def _histogram(levels: U8) -> npt.NDArray[np.float64]:
    """Counts of each level 0..255 (OpenCV's count: bincount first widens every value to 64
    bits), exact as float64."""
    counts = cv2.calcHist([levels.reshape(-1, 1)], [0], None, [256], [0, 256])
    return np.asarray(counts, np.float64).ravel()


def _levels(values: F32) -> U8:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def gray8(image: U8) -> U8:
    return u8(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
