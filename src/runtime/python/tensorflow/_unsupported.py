"""Module-level `__getattr__` for our stand-in modules: a missing API is a clear error, never a silent no-op."""


def missing_attribute(module_name):
    def __getattr__(name):
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(f'module {module_name!r} has no attribute {name!r}')
        public = module_name.replace('tensorflow', 'tf', 1)
        raise AttributeError(f'module {module_name!r} has no attribute {name!r}: Tapescope does not support '
                             f'{public}.{name} yet')
    return __getattr__
