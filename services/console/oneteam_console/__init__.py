"""The command-centre screen (一屏显示): one live page for a whole subdistrict."""
