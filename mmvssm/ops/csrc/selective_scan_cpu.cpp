// Copyright (c) mmvssm contributors. All rights reserved.
//
// Fused CPU selective scan (forward and backward), compiled on first use by
// mmvssm/ops/selective_scan_cpu.py with torch.utils.cpp_extension.
//
// Per channel (batch b, channel d) the state h (d_state values, a few SIMD
// registers) runs sequentially over time:
//
//     h_t = exp(delta_t * A) * h_{t-1} + delta_t * u_t * B_t
//     y_t = sum_n C_t[n] * h_t[n]
//
// vectorised over the states with ATen's Vectorized<float> (its exp is
// SLEEF's vectorised expf when built for AVX2 / AVX512) and parallel over
// channels with at::parallel_for. Nothing of size L x d_state is written:
// the forward stores the state every `chunk` steps (when a backward is
// needed); the backward recomputes the states of one chunk at a time into a
// small per-thread buffer and runs the adjoint recurrence in reverse.
//
// Layouts (all fp32, contiguous, d_state padded to a multiple of the SIMD
// width with A = B = C = 0, which keeps the padded states at zero):
//   u, delta, y, dy: (batch, dim, L)
//   A: (dim, Np)
//   B, C time-varying: (batch, groups, L, Np); channel d uses group
//       d / (dim / groups). Time-invariant: (dim, Np).

#include <ATen/Parallel.h>
#include <ATen/cpu/vec/functional.h>
#include <ATen/cpu/vec/vec.h>
#include <torch/extension.h>

#include <algorithm>
#include <numeric>
#include <vector>

namespace {

using Vec = at::vec::Vectorized<float>;
constexpr int64_t kW = Vec::size();
// Largest d_state handled: kMaxNV SIMD vectors.
constexpr int64_t kMaxNV = 32;

// exp(delta * A), vectorised: SLEEF's expf (1 ulp) on AVX2 / AVX512 builds.
inline Vec vexp(const Vec& x) {
#ifdef MMVSSM_EXP_U20
  return x.exp_u20();
#else
  return x.exp();
#endif
}

inline float hsum(const Vec& v) {
  return at::vec::vec_reduce_all<float>(
      [](Vec& a, Vec& b) { return a + b; }, v);
}

// Where the scan of one channel reads B or C: base pointer and the stride
// between time steps (0 for time-invariant matrices).
struct Mat {
  const float* ptr;
  int64_t step;
};

inline Mat mat_for(const at::Tensor& m, bool tv, int64_t b, int64_t d,
                   int64_t cpg, int64_t length, int64_t np) {
  const float* base = m.data_ptr<float>();
  if (!tv) return {base + d * np, 0};
  const int64_t groups = m.size(1);
  return {base + ((b * groups + d / cpg) * length) * np, np};
}

// Forward of one channel. NV > 0: number of SIMD vectors per state known at
// compile time (kept in registers); NV == 0: `nv` at run time.
template <int NV>
void forward_channel(const float* u, const float* dt, const float* a, Mat bm,
                     Mat cm, int64_t length, int64_t chunk, int64_t nv_rt,
                     float* y, float* last, float* ckpt) {
  const int64_t nv = NV > 0 ? NV : nv_rt;
  const int64_t np = nv * kW;
  Vec h[NV > 0 ? NV : kMaxNV];
  Vec av[NV > 0 ? NV : kMaxNV];
  for (int64_t j = 0; j < nv; ++j) {
    h[j] = Vec(0.f);
    av[j] = Vec::loadu(a + j * kW);
  }
  for (int64_t t0 = 0; t0 < length; t0 += chunk) {
    if (ckpt != nullptr) {
      float* dst = ckpt + (t0 / chunk) * np;
      for (int64_t j = 0; j < nv; ++j) h[j].store(dst + j * kW);
    }
    const int64_t t1 = std::min(length, t0 + chunk);
    for (int64_t t = t0; t < t1; ++t) {
      const Vec d(dt[t]);
      const Vec du(dt[t] * u[t]);
      const float* bt = bm.ptr + t * bm.step;
      const float* ct = cm.ptr + t * cm.step;
      Vec acc(0.f);
      for (int64_t j = 0; j < nv; ++j) {
        const Vec decay = vexp(av[j] * d);
        h[j] = at::vec::fmadd(decay, h[j], du * Vec::loadu(bt + j * kW));
        acc = at::vec::fmadd(h[j], Vec::loadu(ct + j * kW), acc);
      }
      y[t] = hsum(acc);
    }
  }
  for (int64_t j = 0; j < nv; ++j) h[j].store(last + j * kW);
}

// Backward of one channel. Adds the gradients of B and C into `gb` / `gc`
// (per time step, stride gb_step, when time-varying; a single (Np,) row when
// time-invariant); writes du, ddelta and dA of this channel.
template <int NV>
void backward_channel(const float* u, const float* dt, const float* a, Mat bm,
                      Mat cm, int64_t length, int64_t chunk, int64_t nv_rt,
                      const float* ckpt, const float* dy, float* du_out,
                      float* ddt_out, float* da_out, float* gb, float* gc,
                      float* hbuf, float* ebuf) {
  const int64_t nv = NV > 0 ? NV : nv_rt;
  const int64_t np = nv * kW;
  constexpr int64_t kArr = NV > 0 ? NV : kMaxNV;
  // Sums over time (dA, time-invariant dB / dC) are taken per chunk, then
  // over chunks: two-level summation keeps their rounding error small.
  Vec av[kArr], carry[kArr], ga[kArr], gbi[kArr], gci[kArr];
  Vec ga_sum[kArr], gb_sum[kArr], gc_sum[kArr];
  for (int64_t j = 0; j < nv; ++j) {
    av[j] = Vec::loadu(a + j * kW);
    carry[j] = ga_sum[j] = gb_sum[j] = gc_sum[j] = Vec(0.f);
  }
  const int64_t n_chunks = (length + chunk - 1) / chunk;
  for (int64_t k = n_chunks - 1; k >= 0; --k) {
    const int64_t t0 = k * chunk;
    const int64_t steps = std::min(chunk, length - t0);
    const float* h0 = ckpt + k * np;
    for (int64_t j = 0; j < nv; ++j) ga[j] = gbi[j] = gci[j] = Vec(0.f);
    // Recompute the states and decays of this chunk.
    {
      Vec h[kArr];
      for (int64_t j = 0; j < nv; ++j) h[j] = Vec::loadu(h0 + j * kW);
      for (int64_t i = 0; i < steps; ++i) {
        const int64_t t = t0 + i;
        const Vec d(dt[t]);
        const Vec du(dt[t] * u[t]);
        const float* bt = bm.ptr + t * bm.step;
        for (int64_t j = 0; j < nv; ++j) {
          const Vec decay = vexp(av[j] * d);
          h[j] = at::vec::fmadd(decay, h[j], du * Vec::loadu(bt + j * kW));
          decay.store(ebuf + i * np + j * kW);
          h[j].store(hbuf + i * np + j * kW);
        }
      }
    }
    // Adjoint: g_t = C_t dy_t + exp(delta_{t+1} A) g_{t+1}.
    for (int64_t i = steps - 1; i >= 0; --i) {
      const int64_t t = t0 + i;
      const Vec dyv(dy[t]);
      const Vec d(dt[t]);
      const Vec du(dt[t] * u[t]);
      const float* bt = bm.ptr + t * bm.step;
      const float* ct = cm.ptr + t * cm.step;
      const float* hprev = i > 0 ? hbuf + (i - 1) * np : h0;
      float* gbt = gb + t * bm.step;
      float* gct = gc + t * cm.step;
      Vec s_delta(0.f), s_bu(0.f);
      for (int64_t j = 0; j < nv; ++j) {
        const Vec hcur = Vec::loadu(hbuf + i * np + j * kW);
        const Vec g = at::vec::fmadd(Vec::loadu(ct + j * kW), dyv, carry[j]);
        const Vec bv = Vec::loadu(bt + j * kW);
        const Vec decay = Vec::loadu(ebuf + i * np + j * kW);
        // d loss / d(delta A)_t = g_t * exp(delta_t A) * h_{t-1}
        const Vec gda = g * decay * Vec::loadu(hprev + j * kW);
        s_delta = at::vec::fmadd(gda, av[j], s_delta);
        ga[j] = at::vec::fmadd(gda, d, ga[j]);
        // d loss / d(delta u B)_t = g_t
        s_bu = at::vec::fmadd(g, bv, s_bu);
        if (cm.step != 0) {
          at::vec::fmadd(dyv, hcur, Vec::loadu(gct + j * kW))
              .store(gct + j * kW);
        } else {
          gci[j] = at::vec::fmadd(dyv, hcur, gci[j]);
        }
        if (bm.step != 0) {
          at::vec::fmadd(g, du, Vec::loadu(gbt + j * kW)).store(gbt + j * kW);
        } else {
          gbi[j] = at::vec::fmadd(g, du, gbi[j]);
        }
        carry[j] = decay * g;
      }
      const float bu = hsum(s_bu);
      du_out[t] = bu * dt[t];
      ddt_out[t] = hsum(s_delta) + bu * u[t];
    }
    for (int64_t j = 0; j < nv; ++j) {
      ga_sum[j] += ga[j];
      gb_sum[j] += gbi[j];
      gc_sum[j] += gci[j];
    }
  }
  for (int64_t j = 0; j < nv; ++j) {
    ga_sum[j].store(da_out + j * kW);
    if (bm.step == 0) (Vec::loadu(gb + j * kW) + gb_sum[j]).store(gb + j * kW);
    if (cm.step == 0) (Vec::loadu(gc + j * kW) + gc_sum[j]).store(gc + j * kW);
  }
}

template <typename F>
void dispatch_nv(int64_t nv, const F& f) {
  switch (nv) {
    case 1: f(std::integral_constant<int, 1>()); break;
    case 2: f(std::integral_constant<int, 2>()); break;
    case 4: f(std::integral_constant<int, 4>()); break;
    default: f(std::integral_constant<int, 0>()); break;
  }
}

struct Layout {
  int64_t batch, dim, length, np, nv, groups, cpg;
};

Layout check(const at::Tensor& u, const at::Tensor& delta,
             const at::Tensor& A, const at::Tensor& B, const at::Tensor& C,
             bool b_tv, bool c_tv, int64_t groups) {
  for (const at::Tensor* t : {&u, &delta, &A, &B, &C}) {
    TORCH_CHECK(t->device().is_cpu() && t->scalar_type() == at::kFloat &&
                    t->is_contiguous(),
                "fused scan: inputs must be contiguous fp32 CPU tensors");
  }
  Layout l{u.size(0), u.size(1), u.size(2), A.size(1), A.size(1) / kW,
           groups, u.size(1) / groups};
  TORCH_CHECK(l.np % kW == 0 && l.nv <= kMaxNV,
              "fused scan: padded d_state must be a multiple of ", kW,
              " and at most ", kW * kMaxNV);
  TORCH_CHECK(groups > 0 && l.dim % groups == 0, "fused scan: bad groups");
  for (auto [m, tv] : {std::pair{&B, b_tv}, std::pair{&C, c_tv}}) {
    if (tv) {
      TORCH_CHECK(m->dim() == 4 && m->size(0) == l.batch &&
                      m->size(1) == groups && m->size(2) == l.length &&
                      m->size(3) == l.np,
                  "fused scan: bad time-varying B/C layout");
    } else {
      TORCH_CHECK(m->dim() == 2 && m->size(0) == l.dim && m->size(1) == l.np,
                  "fused scan: bad time-invariant B/C layout");
    }
  }
  return l;
}

std::vector<at::Tensor> scan_forward(const at::Tensor& u,
                                     const at::Tensor& delta,
                                     const at::Tensor& A, const at::Tensor& B,
                                     const at::Tensor& C, bool b_tv, bool c_tv,
                                     int64_t groups, int64_t chunk,
                                     bool save_states) {
  const Layout l = check(u, delta, A, B, C, b_tv, c_tv, groups);
  TORCH_CHECK(chunk > 0, "fused scan: chunk must be positive");
  const int64_t n_chunks = (l.length + chunk - 1) / chunk;
  auto y = at::empty({l.batch, l.dim, l.length}, u.options());
  auto last = at::empty({l.batch, l.dim, l.np}, u.options());
  auto ckpt = save_states ? at::empty({l.batch, l.dim, n_chunks, l.np},
                                      u.options())
                          : at::Tensor();
  float* ckpt_ptr = save_states ? ckpt.data_ptr<float>() : nullptr;
  dispatch_nv(l.nv, [&](auto nv_tag) {
    constexpr int NV = decltype(nv_tag)::value;
    at::parallel_for(0, l.batch * l.dim, 1, [&](int64_t begin, int64_t end) {
      for (int64_t bd = begin; bd < end; ++bd) {
        const int64_t b = bd / l.dim, d = bd % l.dim;
        const int64_t off = bd * l.length;
        forward_channel<NV>(
            u.data_ptr<float>() + off, delta.data_ptr<float>() + off,
            A.data_ptr<float>() + d * l.np,
            mat_for(B, b_tv, b, d, l.cpg, l.length, l.np),
            mat_for(C, c_tv, b, d, l.cpg, l.length, l.np), l.length, chunk,
            l.nv, y.data_ptr<float>() + off,
            last.data_ptr<float>() + bd * l.np,
            ckpt_ptr == nullptr ? nullptr : ckpt_ptr + bd * n_chunks * l.np);
      }
    });
  });
  return {y, last, ckpt};
}

// Returns du, ddelta (batch, dim, L); dA (batch, dim, Np) per batch element;
// dB and dC: time-varying (splits, batch, groups, L, Np) partial sums over
// the channels of a group, time-invariant (batch, dim, Np) per batch element.
std::vector<at::Tensor> scan_backward(
    const at::Tensor& u, const at::Tensor& delta, const at::Tensor& A,
    const at::Tensor& B, const at::Tensor& C, bool b_tv, bool c_tv,
    int64_t groups, int64_t chunk, const at::Tensor& ckpt,
    const at::Tensor& dy) {
  const Layout l = check(u, delta, A, B, C, b_tv, c_tv, groups);
  const int64_t n_chunks = (l.length + chunk - 1) / chunk;
  TORCH_CHECK(ckpt.is_contiguous() && ckpt.numel() ==
                  l.batch * l.dim * n_chunks * l.np,
              "fused scan: bad saved states");
  TORCH_CHECK(dy.is_contiguous() && dy.sizes() == u.sizes(),
              "fused scan: bad output gradient");
  // Tasks: (batch, group, split); the channels of one group are cut into
  // `splits` parts so that there are enough tasks for the threads; each task
  // owns one partial sum of the time-varying dB / dC of its group.
  const int64_t bg = l.batch * l.groups;
  const int64_t threads = at::get_num_threads();
  int64_t splits = bg >= 4 * threads ? 1 : threads / std::gcd(bg, threads);
  splits = std::max<int64_t>(1, std::min(splits, l.cpg));
  const int64_t per_split = (l.cpg + splits - 1) / splits;
  auto du = at::empty_like(u);
  auto ddelta = at::empty_like(u);
  auto dA = at::empty({l.batch, l.dim, l.np}, u.options());
  auto grad_mat = [&](bool tv) {
    return tv ? at::zeros({splits, l.batch, l.groups, l.length, l.np},
                          u.options())
              : at::zeros({l.batch, l.dim, l.np}, u.options());
  };
  auto dB = grad_mat(b_tv);
  auto dC = grad_mat(c_tv);
  dispatch_nv(l.nv, [&](auto nv_tag) {
    constexpr int NV = decltype(nv_tag)::value;
    at::parallel_for(0, bg * splits, 1, [&](int64_t begin, int64_t end) {
      std::vector<float> scratch(2 * chunk * l.np);
      for (int64_t task = begin; task < end; ++task) {
        const int64_t s = task % splits, bgi = task / splits;
        const int64_t b = bgi / l.groups, g = bgi % l.groups;
        const int64_t c0 = g * l.cpg + s * per_split;
        const int64_t c1 = std::min(g * l.cpg + l.cpg, c0 + per_split);
        const int64_t part = ((s * l.batch + b) * l.groups + g) * l.length;
        for (int64_t d = c0; d < c1; ++d) {
          const int64_t bd = b * l.dim + d;
          const int64_t off = bd * l.length;
          float* gb = dB.data_ptr<float>() +
                      (b_tv ? part * l.np : bd * l.np);
          float* gc = dC.data_ptr<float>() +
                      (c_tv ? part * l.np : bd * l.np);
          backward_channel<NV>(
              u.data_ptr<float>() + off, delta.data_ptr<float>() + off,
              A.data_ptr<float>() + d * l.np,
              mat_for(B, b_tv, b, d, l.cpg, l.length, l.np),
              mat_for(C, c_tv, b, d, l.cpg, l.length, l.np), l.length, chunk,
              l.nv, ckpt.data_ptr<float>() + bd * n_chunks * l.np,
              dy.data_ptr<float>() + off, du.data_ptr<float>() + off,
              ddelta.data_ptr<float>() + off,
              dA.data_ptr<float>() + bd * l.np, gb, gc, scratch.data(),
              scratch.data() + chunk * l.np);
        }
      }
    });
  });
  return {du, ddelta, dA, dB, dC};
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("forward", &scan_forward, "fused selective scan forward",
        py::call_guard<py::gil_scoped_release>());
  m.def("backward", &scan_backward, "fused selective scan backward",
        py::call_guard<py::gil_scoped_release>());
  m.attr("simd_width") = kW;
}
