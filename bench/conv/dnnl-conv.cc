// Experiment (not part of the product): the conv kernels of src/native/addon/conv.cc
// implemented over oneDNN (Debian libdnnl-dev 2.6), with the same JS signatures, so that
// bench/conv/compare.ts can time both side by side.
//
// By default tensors stay in the tfjs layouts, described to oneDNN as nhwc activations and
// hwio weights, so no reorders run; setLayout('blocked') lets each primitive pick its own
// layouts instead and reorders around it (a cost a product would pay too). Primitives are
// built once per (op, geometry, epilogue, thread count, layout mode) and cached: oneDNN's
// JIT kernels are specialised for the thread count at creation.
#include <napi.h>
#include <omp.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using dnnl::algorithm;
using dnnl::memory;
using Tag = memory::format_tag;
using Type = memory::data_type;

struct Geometry {
  int N, H, W, C, OH, OW, OC, FH, FW, SH, SW, PT, PL, PB, PR, DH, DW;
};

Geometry ReadGeometry(const Napi::Value& v) {
  const int32_t* p = v.As<Napi::Int32Array>().Data();
  return Geometry{p[0], p[1],  p[2],  p[3],  p[4],  p[5],  p[6],  p[7], p[8],
                  p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16]};
}

float* F32(const Napi::Value& v) { return v.As<Napi::Float32Array>().Data(); }

dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}
dnnl::stream& Stream() {
  static dnnl::stream stream(Engine());
  return stream;
}

// Memory descriptors and conv parameters of a geometry, in oneDNN's terms: the tfjs layouts
// (user), and what the primitive is told (the same, or format_tag::any in blocked mode).
struct Problem {
  memory::desc src, weights, dst, bias;            // user layouts
  memory::desc srcAny, weightsAny, dstAny;         // what the primitive descriptor gets
  memory::dims strides, dilates, padL, padR;
};

// When set, primitives choose their own (blocked) layouts and each call reorders to and from
// the tfjs layouts: the best oneDNN can do when fed NHWC tensors.
bool blocked = false;

Problem Describe(const Geometry& g, bool bias) {
  Problem p;
  const memory::dims src{g.N, g.C, g.H, g.W}, wei{g.OC, g.C, g.FH, g.FW}, dst{g.N, g.OC, g.OH, g.OW};
  p.src = memory::desc(src, Type::f32, Tag::nhwc);
  p.weights = memory::desc(wei, Type::f32, Tag::hwio);
  p.dst = memory::desc(dst, Type::f32, Tag::nhwc);
  p.srcAny = blocked ? memory::desc(src, Type::f32, Tag::any) : p.src;
  p.weightsAny = blocked ? memory::desc(wei, Type::f32, Tag::any) : p.weights;
  p.dstAny = blocked ? memory::desc(dst, Type::f32, Tag::any) : p.dst;
  if (bias) p.bias = memory::desc({g.OC}, Type::f32, Tag::a);
  p.strides = {g.SH, g.SW};
  p.dilates = {g.DH - 1, g.DW - 1};  // oneDNN counts dilation from 0
  p.padL = {g.PT, g.PL};
  // oneDNN wants the bottom/right padding that makes the output size exact.
  p.padR = {(g.OH - 1) * g.SH + (g.FH - 1) * g.DH + 1 - g.H - g.PT,
            (g.OW - 1) * g.SW + (g.FW - 1) * g.DW + 1 - g.W - g.PL};
  return p;
}

dnnl::convolution_forward::primitive_desc ForwardPd(const Problem& p, const dnnl::primitive_attr& attr) {
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, algorithm::convolution_direct,
                                    p.srcAny, p.weightsAny, p.bias, p.dstAny, p.strides, p.dilates, p.padL,
                                    p.padR);
  return dnnl::convolution_forward::primitive_desc(d, attr, Engine());
}

// Activation codes of src/native/kernels/activation.ts as oneDNN post-ops.
dnnl::primitive_attr Epilogue(int act, float alpha) {
  dnnl::post_ops ops;
  switch (act) {
    case 1:
      ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
      break;
    case 2:
      ops.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 6.f);
      break;
    case 3:
      ops.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f);
      break;
    case 4:
      ops.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f);
      break;
    default:
      break;
  }
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  return attr;
}

enum Op { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };
using Key = std::array<int32_t, 23>;

// One argument of a primitive: where the caller's array goes, and the reorder (with its own
// buffer) that runs when the primitive wants another layout.
struct Arg {
  int id;
  int slot;     // index of the caller's array in Run's `data`
  bool input;
  memory::desc user, internal;
  memory buffer;   // internal layout; empty when no reorder is needed
  dnnl::reorder reorder;
};

struct Entry {
  dnnl::primitive primitive;
  std::vector<Arg> args;
  std::string impl;
};
std::map<Key, Entry> cache;

Arg MakeArg(int id, int slot, bool input, const memory::desc& user, const memory::desc& internal) {
  Arg a{id, slot, input, user, internal, memory(), dnnl::reorder()};
  if (internal != user) {
    a.buffer = memory(internal, Engine());
    memory userMem(user, Engine(), DNNL_MEMORY_NONE);
    a.reorder = input ? dnnl::reorder(userMem, a.buffer) : dnnl::reorder(a.buffer, userMem);
  }
  return a;
}

Entry& Primitive(Op op, const Geometry& g, bool bias, int act, float alpha) {
  Key key{};
  std::memcpy(key.data(), &g, sizeof(Geometry));
  int32_t alphaBits;
  std::memcpy(&alphaBits, &alpha, sizeof alphaBits);
  key[17] = op;
  key[18] = bias;
  key[19] = act;
  key[20] = alphaBits;
  key[21] = omp_get_max_threads();
  key[22] = blocked;
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  const Problem p = Describe(g, bias);
  Entry e;
  // Slots: forward (x, filter, y, bias); backward data (dy, filter, dx); backward weights (x, dy, dw).
  if (op == kForward) {
    auto pd = ForwardPd(p, Epilogue(act, alpha));
    e.primitive = dnnl::convolution_forward(pd);
    e.impl = pd.impl_info_str();
    e.args = {MakeArg(DNNL_ARG_SRC, 0, true, p.src, pd.src_desc()),
              MakeArg(DNNL_ARG_WEIGHTS, 1, true, p.weights, pd.weights_desc()),
              MakeArg(DNNL_ARG_DST, 2, false, p.dst, pd.dst_desc())};
    if (bias) e.args.push_back(MakeArg(DNNL_ARG_BIAS, 3, true, p.bias, pd.bias_desc()));
  } else if (op == kBackwardData) {
    auto hint = ForwardPd(p, dnnl::primitive_attr());
    dnnl::convolution_backward_data::desc d(algorithm::convolution_direct, p.srcAny, p.weightsAny, p.dstAny,
                                            p.strides, p.dilates, p.padL, p.padR);
    dnnl::convolution_backward_data::primitive_desc pd(d, Engine(), hint);
    e.primitive = dnnl::convolution_backward_data(pd);
    e.impl = pd.impl_info_str();
    e.args = {MakeArg(DNNL_ARG_DIFF_DST, 0, true, p.dst, pd.diff_dst_desc()),
              MakeArg(DNNL_ARG_WEIGHTS, 1, true, p.weights, pd.weights_desc()),
              MakeArg(DNNL_ARG_DIFF_SRC, 2, false, p.src, pd.diff_src_desc())};
  } else {
    auto hint = ForwardPd(p, dnnl::primitive_attr());
    dnnl::convolution_backward_weights::desc d(algorithm::convolution_direct, p.srcAny, p.weightsAny,
                                               p.dstAny, p.strides, p.dilates, p.padL, p.padR);
    dnnl::convolution_backward_weights::primitive_desc pd(d, Engine(), hint);
    e.primitive = dnnl::convolution_backward_weights(pd);
    e.impl = pd.impl_info_str();
    e.args = {MakeArg(DNNL_ARG_SRC, 0, true, p.src, pd.src_desc()),
              MakeArg(DNNL_ARG_DIFF_DST, 1, true, p.dst, pd.diff_dst_desc()),
              MakeArg(DNNL_ARG_DIFF_WEIGHTS, 2, false, p.weights, pd.diff_weights_desc())};
  }
  return cache.emplace(key, std::move(e)).first->second;
}

// Runs a cached primitive on the caller's arrays, reordering where its layouts differ.
void Run(Entry& e, const std::vector<float*>& data) {
  dnnl::stream& s = Stream();
  std::unordered_map<int, memory> args;
  for (Arg& a : e.args) {
    memory user(a.user, Engine(), data[a.slot]);
    if (!a.buffer) {
      args.emplace(a.id, user);
      continue;
    }
    if (a.input) a.reorder.execute(s, user, a.buffer);
    args.emplace(a.id, a.buffer);
  }
  e.primitive.execute(s, args);
  for (Arg& a : e.args) {
    if (!a.buffer || a.input) continue;
    memory user(a.user, Engine(), data[a.slot]);
    a.reorder.execute(s, a.buffer, user);
  }
  s.wait();
}

// conv2d(x, filter, y, geom, bias | null, activation, alpha)
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  const Geometry g = ReadGeometry(info[3]);
  const bool bias = !(info[4].IsNull() || info[4].IsUndefined());
  const int act = info[5].As<Napi::Number>().Int32Value();
  const float alpha = info[6].As<Napi::Number>().FloatValue();
  Run(Primitive(kForward, g, bias, act, alpha),
      {F32(info[0]), F32(info[1]), F32(info[2]), bias ? F32(info[4]) : nullptr});
  return info.Env().Undefined();
}

// conv2dBackpropInput(dy, filter, dx, geom)
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  Run(Primitive(kBackwardData, ReadGeometry(info[3]), false, 0, 0.f),
      {F32(info[0]), F32(info[1]), F32(info[2])});
  return info.Env().Undefined();
}

// conv2dBackpropFilter(x, dy, dw, geom)
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  Run(Primitive(kBackwardWeights, ReadGeometry(info[3]), false, 0, 0.f),
      {F32(info[0]), F32(info[1]), F32(info[2])});
  return info.Env().Undefined();
}

// setLayout('nhwc' | 'blocked'): tfjs layouts throughout, or oneDNN's own with reorders.
Napi::Value SetLayout(const Napi::CallbackInfo& info) {
  blocked = info[0].As<Napi::String>().Utf8Value() == "blocked";
  return info.Env().Undefined();
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  omp_set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

// The oneDNN implementation chosen for each cached primitive, e.g. "jit:avx512_core".
Napi::Value Implementations(const Napi::CallbackInfo& info) {
  static const char* names[] = {"forward", "backward data", "backward weights"};
  Napi::Array out = Napi::Array::New(info.Env());
  uint32_t i = 0;
  for (const auto& [key, entry] : cache) {
    std::string line = std::string(names[key[17]]) + (key[22] ? " (blocked)" : " (nhwc)") +
                       " C=" + std::to_string(key[3]) + " OC=" + std::to_string(key[6]) +
                       " threads=" + std::to_string(key[21]) + ": " + entry.impl;
    out.Set(i++, Napi::String::New(info.Env(), line));
  }
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2D));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2DBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2DBackpropFilter));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("setLayout", Napi::Function::New(env, SetLayout));
  exports.Set("implementations", Napi::Function::New(env, Implementations));
  exports.Set("version", Napi::String::New(env, std::to_string(dnnl_version()->major) + "." +
                                                    std::to_string(dnnl_version()->minor) + "." +
                                                    std::to_string(dnnl_version()->patch)));
  return exports;
}

}  // namespace

NODE_API_MODULE(dnnl_conv, Init)
