"""Writes the WAT of a ~300 KB module for load/instantiate timing: many
functions with loops, branches, memory traffic and calls (so translation does
real work), a table of them, and an 8 KiB data segment. Deterministic."""
import sys

def function(i):
    callee = f"(call $f{i - 1} (local.get 0))" if i else "(local.get 0)"
    return f"""  (func $f{i} (export "f{i}") (param i32) (result i32) (local i32 i64 f64)
    (local.set 1 (i32.const {i}))
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get 1) (i32.add (local.get 0) (i32.const {i % 97 + 3}))))
        (i32.store offset={i % 1024} (i32.and (local.get 1) (i32.const 0xfff0))
          (i32.xor (i32.load (i32.const {i * 4 % 4096})) (i32.mul (local.get 1) (i32.const {i + 7}))))
        (local.set 2 (i64.add (local.get 2) (i64.extend_i32_u (local.get 1))))
        (local.set 3 (f64.add (local.get 3) (f64.convert_i32_s (local.get 1))))
        (if (i32.eqz (i32.rem_u (local.get 1) (i32.const 3)))
          (then (local.set 1 (i32.add (local.get 1) (i32.const 2))))
          (else (local.set 1 (i32.add (local.get 1) (i32.const 1)))))
        (br $again)))
    (i32.add {callee}
      (i32.add (i32.wrap_i64 (local.get 2)) (i32.trunc_sat_f64_s (local.get 3)))))
"""

def main(count):
    out = ["(module", "  (memory (export \"memory\") 2)",
           f"  (table {count} funcref)",
           "  (elem (i32.const 0) func " + " ".join(f"$f{i}" for i in range(count)) + ")",
           "  (data (i32.const 16) \"" + "".join(f"\\{b:02x}" for b in bytes((i * 37) & 0xFF for i in range(8192))) + "\")",
           "  (func (export \"noop\"))"]
    out += [function(i) for i in range(count)]
    out.append(")")
    sys.stdout.write("\n".join(out) + "\n")

if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1500)
