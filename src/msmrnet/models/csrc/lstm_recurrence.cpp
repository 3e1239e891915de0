// The LSTM recurrence of MSMRNet's memory modules, fused: one call runs all steps.
//
// Input projections (convolutions folded into W_ih, plus biases) are one big GEMM done by
// PyTorch before this is called, so only the sequential part is here: per step,
// gates = gx[t] + h @ W_hh^T, the gate nonlinearities and the cell update. Hidden sizes in
// MSMRNet are tiny (16), so a generic LSTM kernel spends its time on per-step overhead;
// here each thread walks its own rows through all steps with the state in L1 cache.
// Rows are independent, so results do not depend on the number of threads.
#include <torch/extension.h>
#include <ATen/Parallel.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

// exp in plain arithmetic so that the compiler vectorises the gate loops (a libm call per
// element would cost more than the whole matrix-vector product): 2^n * 2^f, f in [-1/2, 1/2],
// 2^f by its degree-6 Taylor polynomial (relative error ~1e-7, float's own precision).
inline float fast_exp(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float t = x * 1.44269504f;  // log2(e)
  const float n = std::floor(t + 0.5f);
  const float f = (t - n) * 0.693147181f;  // back to natural units: e^f with |f| <= ln2/2
  float p = 1.0f + f * (1.0f + f * (0.5f + f * (1.0f / 6 + f * (1.0f / 24 + f * (1.0f / 120 + f * (1.0f / 720))))));
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}
inline double fast_exp(double x) { return std::exp(x); }  // double is for gradient checks

template <typename T> inline T sigmoid(T x) { return T(1) / (T(1) + fast_exp(-x)); }
template <typename T> inline T tanh_(T x) { return T(2) * sigmoid(T(2) * x) - T(1); }

constexpr int64_t kBlock = 16;  // rows walked through time together: their state stays in L1

// gx: (F, B, 4H) input projections W_ih x_t; bias: (4H,) both LSTM biases; w_t = W_hh^T: (H, 4H); gate
// order i, f, g, o. Writes hs (F, B, H) and, when acts/cs are given, the activated gates and
// the cells for backward. Steps are the outer loop and a block's rows the inner one, so each
// step reads and writes contiguous memory. HC > 0 fixes H at compile time (the common 16),
// which lets the compiler keep a row's gates in vector registers.
template <typename T, int64_t HC>
void forward_block(const T* __restrict__ gx, const T* __restrict__ bias, const T* __restrict__ w_t, T* __restrict__ hs, T* __restrict__ acts, T* __restrict__ cs, int64_t F, int64_t B, int64_t h_dyn,
                   int64_t r0, int64_t r1) {
  const int64_t H = HC > 0 ? HC : h_dyn, G = 4 * H, R = r1 - r0;
  std::vector<T> state(2 * R * H, T(0)), gates(G);
  T* __restrict__ hb = state.data();
  T* __restrict__ cb = hb + R * H;
  T* __restrict__ g = gates.data();
  for (int64_t t = 0; t < F; ++t) {
    for (int64_t r = 0; r < R; ++r) {
      const int64_t row = t * B + r0 + r;
      const T* __restrict__ x = gx + row * G;
      T* __restrict__ h = hb + r * H;
      T* __restrict__ c = cb + r * H;
      for (int64_t j = 0; j < G; ++j) g[j] = x[j] + bias[j];
      for (int64_t k = 0; k < H; ++k) {  // g += h @ W_hh^T
        const T hk = h[k];
        const T* __restrict__ w = w_t + k * G;
#pragma omp simd
        for (int64_t j = 0; j < G; ++j) g[j] += hk * w[j];
      }
      for (int64_t j = 0; j < 2 * H; ++j) g[j] = sigmoid(g[j]);
      for (int64_t j = 2 * H; j < 3 * H; ++j) g[j] = tanh_(g[j]);
      for (int64_t j = 3 * H; j < G; ++j) g[j] = sigmoid(g[j]);
      T* __restrict__ hout = hs + row * H;
      for (int64_t k = 0; k < H; ++k) {
        c[k] = g[H + k] * c[k] + g[k] * g[2 * H + k];
        h[k] = g[3 * H + k] * tanh_(c[k]);
        hout[k] = h[k];
      }
      if (acts != nullptr) {
        std::copy(g, g + G, acts + row * G);
        std::copy(c, c + H, cs + row * H);
      }
    }
  }
}

template <typename T, int64_t HC>
void backward_block(const T* __restrict__ dhs, const T* __restrict__ acts, const T* __restrict__ cs, const T* __restrict__ w_hh, T* __restrict__ dgx, int64_t F, int64_t B,
                    int64_t h_dyn, int64_t r0, int64_t r1) {
  const int64_t H = HC > 0 ? HC : h_dyn, G = 4 * H, R = r1 - r0;
  std::vector<T> state(2 * R * H, T(0)), zeros(H, T(0));
  T* __restrict__ dhb = state.data();
  T* __restrict__ dcb = dhb + R * H;
  for (int64_t t = F - 1; t >= 0; --t) {
    for (int64_t r = 0; r < R; ++r) {
      const int64_t row = t * B + r0 + r;
      const T* __restrict__ a = acts + row * G;
      const T* __restrict__ c = cs + row * H;
      const T* __restrict__ c_prev = t > 0 ? cs + (row - B) * H : zeros.data();
      const T* __restrict__ dho = dhs + row * H;
      T* __restrict__ dh = dhb + r * H;
      T* __restrict__ dc = dcb + r * H;
      T* __restrict__ dg = dgx + row * G;
      for (int64_t k = 0; k < H; ++k) {
        const T i = a[k], f = a[H + k], gg = a[2 * H + k], o = a[3 * H + k];
        const T tc = tanh_(c[k]);
        const T dhk = dh[k] + dho[k];
        const T dck = dc[k] + dhk * o * (T(1) - tc * tc);
        dg[k] = dck * gg * i * (T(1) - i);
        dg[H + k] = dck * c_prev[k] * f * (T(1) - f);
        dg[2 * H + k] = dck * i * (T(1) - gg * gg);
        dg[3 * H + k] = dhk * tc * o * (T(1) - o);
        dc[k] = dck * f;
      }
      // dh_prev = dgates @ W_hh, accumulated in a local array the compiler can keep in registers
      T acc[HC > 0 ? HC : 1024] = {};
      for (int64_t j = 0; j < G; ++j) {
        const T d = dg[j];
        const T* __restrict__ w = w_hh + j * H;
#pragma omp simd
        for (int64_t k = 0; k < H; ++k) acc[k] += d * w[k];
      }
      std::copy(acc, acc + H, dh);
    }
  }
}

// Split the batch over threads, then into blocks of kBlock rows.
template <typename Fn>
void for_blocks(int64_t B, const Fn& fn) {
  at::parallel_for(0, (B + kBlock - 1) / kBlock, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) fn(b * kBlock, std::min(B, (b + 1) * kBlock));
  });
}

void check(const torch::Tensor& gx, const torch::Tensor& w_hh) {
  TORCH_CHECK(gx.dim() == 3 && gx.is_contiguous(), "gx must be a contiguous (F, B, 4H) tensor");
  TORCH_CHECK(w_hh.dim() == 2 && w_hh.size(0) == gx.size(2) && w_hh.size(0) == 4 * w_hh.size(1),
              "w_hh must be (4H, H) matching gx");
  TORCH_CHECK(gx.scalar_type() == w_hh.scalar_type(), "gx and w_hh must share a dtype");
  TORCH_CHECK(w_hh.size(1) <= 1024, "hidden sizes above 1024 are not supported by the fused kernel");
}

}  // namespace

std::vector<torch::Tensor> recurrence_forward(torch::Tensor gx, torch::Tensor bias, torch::Tensor w_hh, bool keep) {
  check(gx, w_hh);
  TORCH_CHECK(bias.dim() == 1 && bias.size(0) == gx.size(2) && bias.scalar_type() == gx.scalar_type(), "bias must be (4H,)");
  bias = bias.contiguous();
  const int64_t F = gx.size(0), B = gx.size(1), H = w_hh.size(1);
  auto hs = torch::empty({F, B, H}, gx.options());
  auto acts = keep ? torch::empty({F, B, 4 * H}, gx.options()) : torch::empty({0}, gx.options());
  auto cs = keep ? torch::empty({F, B, H}, gx.options()) : torch::empty({0}, gx.options());
  auto w_t = w_hh.t().contiguous();
  AT_DISPATCH_FLOATING_TYPES(gx.scalar_type(), "recurrence_forward", [&] {
    const scalar_t* pgx = gx.data_ptr<scalar_t>();
    const scalar_t* pb = bias.data_ptr<scalar_t>();
    const scalar_t* pw = w_t.data_ptr<scalar_t>();
    scalar_t* phs = hs.data_ptr<scalar_t>();
    scalar_t* pa = keep ? acts.data_ptr<scalar_t>() : nullptr;
    scalar_t* pc = keep ? cs.data_ptr<scalar_t>() : nullptr;
    for_blocks(B, [&](int64_t r0, int64_t r1) {
      if (H == 16) forward_block<scalar_t, 16>(pgx, pb, pw, phs, pa, pc, F, B, H, r0, r1);
      else forward_block<scalar_t, 0>(pgx, pb, pw, phs, pa, pc, F, B, H, r0, r1);
    });
  });
  return {hs, acts, cs};
}

torch::Tensor recurrence_backward(torch::Tensor dhs, torch::Tensor acts, torch::Tensor cs, torch::Tensor w_hh) {
  dhs = dhs.contiguous();
  const int64_t F = acts.size(0), B = acts.size(1), H = w_hh.size(1);
  auto w = w_hh.contiguous();
  auto dgx = torch::empty_like(acts);
  AT_DISPATCH_FLOATING_TYPES(acts.scalar_type(), "recurrence_backward", [&] {
    const scalar_t* pd = dhs.data_ptr<scalar_t>();
    const scalar_t* pa = acts.data_ptr<scalar_t>();
    const scalar_t* pc = cs.data_ptr<scalar_t>();
    const scalar_t* pw = w.data_ptr<scalar_t>();
    scalar_t* pg = dgx.data_ptr<scalar_t>();
    for_blocks(B, [&](int64_t r0, int64_t r1) {
      if (H == 16) backward_block<scalar_t, 16>(pd, pa, pc, pw, pg, F, B, H, r0, r1);
      else backward_block<scalar_t, 0>(pd, pa, pc, pw, pg, F, B, H, r0, r1);
    });
  });
  return dgx;
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("forward", &recurrence_forward, "fused LSTM recurrence, all steps (CPU)");
  m.def("backward", &recurrence_backward, "its backward: gradient of the gate pre-activations (CPU)");
}
