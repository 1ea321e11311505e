// Declarations shared by the shells passes (shaders/shells_*.comp), included after
// shells_shared.h: the CPU reference's triangle setup (neural/shells/shell_render.cpp) —
// camera-space vertices, clipping at the near plane, projection — in the same float steps.

layout(push_constant) uniform PushBlock {
  ShellsPush pc;
};

layout(set = 0, binding = kShellBindingVertices) uniform samplerBuffer vertices;
layout(set = 0, binding = kShellBindingIndices) uniform usamplerBuffer indices;
layout(std430, set = 0, binding = kShellBindingOffsets) readonly buffer ShellOffsetBuffer {
  float offsets[];
};

const float kNearDepth = 1e-3;  // kShellNearDepth

uint tiles_x() { return pc.params.x; }
uint tiles_y() { return pc.params.y; }

// Index of this invocation in a per-triangle pass (2D dispatch: rows of at most 65535 groups).
uint triangle_index() {
  return (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * STRATA_SHELL_GROUP +
         gl_LocalInvocationIndex;
}

// A projected vertex: pixel position, 1/w and uv/w (perspective-correct interpolation).
struct ScreenVertex {
  vec2 pixel;
  float inv_w;
  vec2 uv_over_w;
};

ScreenVertex project_vertex(vec3 q, vec2 uv) {
  const float w = -q.z;
  ScreenVertex s;
  s.pixel = vec2(pc.intrinsics.z + pc.intrinsics.x * q.x / w,
                 pc.intrinsics.w - pc.intrinsics.y * q.y / w);
  s.inv_w = 1.0 / w;
  s.uv_over_w = uv / w;
  return s;
}

// Camera-space position and uv of corner `corner` of triangle `tri` (all shells).
void triangle_corner(uint tri, int corner, out vec3 q, out vec2 uv) {
  const uint faces = pc.image.w;
  const uint shell = tri / faces, face = tri - shell * faces;
  const uint v = texelFetch(indices, int(3u * face + uint(corner))).x;
  const vec4 a = texelFetch(vertices, int(2u * v)), b = texelFetch(vertices, int(2u * v + 1u));
  const vec4 p = vec4(a.xyz + offsets[shell] * b.xyz, 1.0);
  q = vec3(dot(pc.row0, p), dot(pc.row1, p), dot(pc.row2, p));
  uv = vec2(a.w, b.w);
}

// The triangle clipped at z = -near and projected: 0, 3 or 4 vertices of a convex polygon.
int clip_and_project(uint tri, out ScreenVertex s[4]) {
  vec3 q[3];
  vec2 uv[3];
  for (int i = 0; i < 3; ++i) triangle_corner(tri, i, q[i], uv[i]);
  int n = 0;
  for (int i = 0; i < 3; ++i) {
    const int j = (i + 1) % 3;
    const float di = -q[i].z - kNearDepth, dj = -q[j].z - kNearDepth;
    if (di >= 0.0) s[n++] = project_vertex(q[i], uv[i]);
    if ((di >= 0.0) != (dj >= 0.0)) {
      const float t = di / (di - dj);
      s[n++] = project_vertex(mix(q[i], q[j], t), mix(uv[i], uv[j], t));
    }
  }
  return n;
}
