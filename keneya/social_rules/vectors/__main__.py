from keneya.social_rules.vectors import VECTORS_FILE, render

VECTORS_FILE.write_text(render(), encoding="utf-8")
print(f"wrote {VECTORS_FILE}")
