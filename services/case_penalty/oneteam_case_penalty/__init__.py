"""Case-penalty service (为 · 综合罚一次): administrative penalty cases under the law."""
