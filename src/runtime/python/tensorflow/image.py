"""tf.image: adjust_contrast (an op without a registered gradient, as in TensorFlow)."""
from tensorflow._core import _op, _to_tensor
from tensorflow._ops import cast
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.image')


def adjust_contrast(images, contrast_factor):
    images = _to_tensor(images)
    original = images.dtype
    if not original.is_floating:
        raise NotImplementedError('Tapescope does not support tf.image.adjust_contrast on integer images yet.')
    flt = images if original.name == 'float32' else cast(images, 'float32')
    factor = _to_tensor(contrast_factor, 'float32') if not hasattr(contrast_factor, 'dtype') else contrast_factor
    adjusted = _op('AdjustContrastv2', None, flt, factor)
    return adjusted if original.name == 'float32' else cast(adjusted, original)
