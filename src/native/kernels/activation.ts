/** Activation codes fused into native matmul and conv outputs (see addon/common.h). */
export const FUSED_ACTIVATION = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4 } as const;

/** The code for a tfjs fused activation name, or null when the addon has no fused form (prelu, elu). */
export function fusedActivationCode(name: unknown): number | null {
  const key = (name ?? 'linear') as string;
  return key in FUSED_ACTIVATION ? FUSED_ACTIVATION[key as keyof typeof FUSED_ACTIVATION] : null;
}
