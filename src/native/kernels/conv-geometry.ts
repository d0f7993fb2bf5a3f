/**
 * Conv / pool geometry for the addon: tfjs's Conv2DInfo (from backend_util.computeConv2DInfo or
 * computePool2DInfo) packed as the 17 ints that `Geom()` in addon/common.h reads.
 */
import type { backend_util } from '@tensorflow/tfjs-core';

/** Number of ints in a packed geometry. */
export const GEOMETRY_LENGTH = 17;

/**
 * [N, H, W, C, OH, OW, OC, FH, FW, SH, SW, PT, PL, PB, PR, DH, DW] for an NHWC conv or pool,
 * or null when the geometry is not channels-last (the addon only knows NHWC).
 */
export function packConvGeometry(info: backend_util.Conv2DInfo): Int32Array | null {
  if (info.dataFormat !== 'channelsLast') return null;
  const { padInfo } = info;
  const g = new Int32Array(GEOMETRY_LENGTH);
  g[0] = info.batchSize;
  g[1] = info.inHeight;
  g[2] = info.inWidth;
  g[3] = info.inChannels;
  g[4] = info.outHeight;
  g[5] = info.outWidth;
  g[6] = info.outChannels;
  g[7] = info.filterHeight;
  g[8] = info.filterWidth;
  g[9] = info.strideHeight;
  g[10] = info.strideWidth;
  g[11] = padInfo.top;
  g[12] = padInfo.left;
  g[13] = padInfo.bottom;
  g[14] = padInfo.right;
  g[15] = info.dilationHeight;
  g[16] = info.dilationWidth;
  return g;
}
