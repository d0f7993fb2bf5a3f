/** Softmax over the last axis (the only one tfjs supports) of a float32 tensor. */
import { nativeKernel } from '../kernel-util.js';

export const softmax = nativeKernel('Softmax', ({ inputs, backend, attrs }) => {
  const x = inputs.logits;
  const values = backend.f32(x);
  const rank = x.shape.length;
  // Another dim is left to the JS kernel, which raises tfjs's own error.
  if (!values || rank === 0 || (attrs.dim !== -1 && attrs.dim !== rank - 1)) return null;
  const cols = x.shape[rank - 1];
  let size = 1;
  for (const n of x.shape) size *= n;
  const out = backend.alloc(size);
  if (size > 0) backend.addon.softmax(values, out, size / cols, cols);
  return backend.output(x.shape, out);
});
