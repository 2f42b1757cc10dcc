import { defineConfig } from "vite";

// Built into the Python package, which serves it: every script, style and font comes from the
// console itself, nothing from a CDN (command centres' networks often have no internet).
export default defineConfig({
  base: "/",
  worker: { format: "es" },
  build: {
    outDir: "../oneteam_console/static",
    emptyOutDir: true,
    assetsDir: "assets",
    chunkSizeWarningLimit: 1500,
  },
});
