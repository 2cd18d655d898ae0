"""tf.config: Tapescope always runs eagerly on one CPU."""
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.config')
_run_functions_eagerly = False


def run_functions_eagerly(run_eagerly):
    """Accepted: tf.function bodies always run eagerly in Tapescope (so their ops are recorded)."""
    global _run_functions_eagerly
    _run_functions_eagerly = bool(run_eagerly)


def functions_run_eagerly():
    return _run_functions_eagerly


class PhysicalDevice:
    def __init__(self, name, device_type):
        self.name = name
        self.device_type = device_type

    def __repr__(self):
        return f"PhysicalDevice(name='{self.name}', device_type='{self.device_type}')"


def list_physical_devices(device_type=None):
    if device_type in (None, 'CPU'):
        return [PhysicalDevice('/physical_device:CPU:0', 'CPU')]
    return []


def list_logical_devices(device_type=None):
    return list_physical_devices(device_type)


def set_visible_devices(devices, device_type=None):
    return None


class experimental:  # noqa: N801 - tf.config.experimental namespace
    @staticmethod
    def set_memory_growth(device, enable):
        return None

    @staticmethod
    def enable_op_determinism():
        return None


def set_soft_device_placement(enabled):
    return None
