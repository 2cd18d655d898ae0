/**
 * TensorFlow's exception types. The engine throws `TFError`s whose `pythonType` names the Python
 * exception the runtime must raise (`InvalidArgumentError`, `ValueError`, `RuntimeError`, ...), with
 * TensorFlow's exact message text.
 */

export type PythonErrorType =
  | 'InvalidArgumentError'
  | 'ResourceExhaustedError'
  | 'UnimplementedError'
  | 'ValueError'
  | 'TypeError'
  | 'RuntimeError'
  | 'LookupError'
  | 'IndexError'
  | 'NotImplementedError'
  | 'AttributeError';

export class TFError extends Error {
  constructor(
    readonly pythonType: PythonErrorType,
    message: string,
  ) {
    super(message);
    this.name = pythonType;
  }
}

/** `InvalidArgumentError` as eager ops raise it: `<message> [Op:Type] name: `. */
export function opError(opType: string, message: string, kernelPrefix = true): TFError {
  const prefix = kernelPrefix
    ? `{{function_node __wrapped__${opType}_device_/job:localhost/replica:0/task:0/device:CPU:0}} `
    : '';
  return new TFError('InvalidArgumentError', `${prefix}${message} [Op:${opType}] name: `);
}

export function valueError(message: string): TFError {
  return new TFError('ValueError', message);
}

export function typeError(message: string): TFError {
  return new TFError('TypeError', message);
}

export function runtimeError(message: string): TFError {
  return new TFError('RuntimeError', message);
}
