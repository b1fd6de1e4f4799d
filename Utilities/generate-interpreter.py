#!/usr/bin/env python3
"""Generates Sources/TernEngine/Execution/Interpreter.generated.swift.

The internal instruction set of Tern's interpreter is described once, here:
every instruction's operand layout and its semantics (as a Swift snippet).
From this table the script derives
  * `enum Op` (the dense opcode numbering),
  * the interpreter loop (one `switch` over `Op`),
  * the compiler's tables mapping Wasm numeric and memory opcodes to internal
    instructions (with their immediate, swapped-operand and fused-branch
    variants).
See docs/engine.md for the design. Run: python3 Utilities/generate-interpreter.py
"""

import os
import re

# ---------------------------------------------------------------------------
# Value types: how a slot (UInt64) is read as / written from a Swift value.
# i32 and f32 slots are always zero-extended (see docs/engine.md), so readers
# may truncate and writers widen.

# The interpreter loop is far too large for the optimizer's cost-based
# inliner, so the snippets use only operations that are always inlined
# (`reinterpret` rather than `bitPattern`, typed pointer access rather than
# `loadUnaligned`; see Arithmetic.swift).
READ = {
    'i32': 'UInt32(truncatingIfNeeded: {})',
    'i64': '{}',
    'f32': 'reinterpret(UInt32(truncatingIfNeeded: {}), as: Float.self)',
    'f64': 'reinterpret({}, as: Double.self)',
}
WRITE = {
    'i32': 'UInt64({})',
    'i64': '{}',
    'f32': 'UInt64(reinterpret({}, as: UInt32.self))',
    'f64': 'reinterpret({}, as: UInt64.self)',
}
# A 32-bit immediate word as an operand of the given integer type (i64
# immediates are sign-extended, so only constants that fit in Int32 use them).
IMMEDIATE = {
    'i32': 'pc[{}]',
    'i64': 'UInt64(bitPattern: Int64(Int32(bitPattern: pc[{}])))',
}


def slot(word):
    return f'fp[Int(pc[{word}])]'


def camel(name):
    parts = re.split(r'[._]', name)
    return parts[0] + ''.join(p[:1].upper() + p[1:] for p in parts[1:])


class Instruction:
    """One internal instruction: a name, its operand words and its body."""

    def __init__(self, name, operands, body, advances=True):
        self.name = name
        self.operands = operands  # operand names, one word each; a '64' suffix marks a two-word operand
        self.body = body
        self.advances = advances  # falls through to the next instruction

    @property
    def words(self):
        return 1 + sum(2 if o.endswith('64') else 1 for o in self.operands)


instructions = []


def instruction(name, operands, body, advances=True):
    instructions.append(Instruction(name, operands, body, advances))
    return name


# ---------------------------------------------------------------------------
# Numeric instructions. Each entry: wasm opcode, wasm name, operand types,
# result type, and the Swift expression over `a` (and `b`). Optional:
# `traps` = [(condition, TrapKind case)] checked before computing.

numeric = []  # (code, wasm name, internal op or None, params, result, extras)

# Function entry and loop back edges: the deadline flag and the fuel budget.
CHECK_INTERRUPTION = '''\
if interruptWord.pointee.load(ordering: .relaxed) != 0 { TRAP(.deadlineExceeded) }
if fuelEnabled {
    fuel &-= 1
    if fuel < 0 { TRAP(.fuelExhausted) }
}'''

back_edges = {}  # branch op -> its loop back-edge twin
negations = {}  # integer comparison -> its negation


def branch(name, operands, setup, condition):
    """A (conditional) branch whose last operand is the offset, and its twin
    for loop back edges, which also checks for interruption when taken."""
    words = 1 + len(operands)
    offset = f'pc += Int(Int32(bitPattern: pc[{words - 1}]))'
    variants = []
    for suffix, taken in (('', [offset]), ('_back', [offset] + CHECK_INTERRUPTION.splitlines())):
        body = list(setup)
        if condition is None:
            body += taken
        else:
            body.append(f'if {condition} {{')
            body += ['    ' + l for l in taken]
            body += ['} else {', f'    pc += {words}', '}']
        variants.append(instruction(camel(name + suffix), operands, body, advances=False))
    back_edges[variants[0]] = variants[1]
    return variants[0]

TRAP_DIV = [('b == 0', 'integerDivideByZero')]


def signed_div_overflow(t):
    bits = 32 if t == 'i32' else 64
    return [('b == 0', 'integerDivideByZero'),
            (f'a == {1 << (bits - 1)} && b == {(1 << bits) - 1}', 'integerOverflow')]


INT_BINARY = [
    # name, expression, has immediate form, swapped immediate op ('self' = commutes)
    ('add', 'a &+ b', True, 'self'),
    ('sub', 'a &- b', True, None),
    ('mul', 'a &* b', True, 'self'),
    ('div_s', '(a.signed / b.signed).unsigned', False, None),
    ('div_u', 'a / b', False, None),
    ('rem_s', 'b == {allOnes} ? 0 : (a.signed % b.signed).unsigned', False, None),
    ('rem_u', 'a % b', False, None),
    ('and', 'a & b', True, 'self'),
    ('or', 'a | b', True, 'self'),
    ('xor', 'a ^ b', True, 'self'),
    ('shl', 'a &<< b', True, None),
    ('shr_s', '(a.signed &>> b.signed).unsigned', True, None),
    ('shr_u', 'a &>> b', True, None),
    ('rotl', 'a.rotatedLeft(by: b)', True, None),
    ('rotr', 'a.rotatedRight(by: b)', True, None),
]
INT_COMPARE = [
    # name, expression, negation, mirror (same test with operands swapped)
    ('eq', 'a == b', 'ne', 'eq'),
    ('ne', 'a != b', 'eq', 'ne'),
    ('lt_s', 'a.signed < b.signed', 'ge_s', 'gt_s'),
    ('lt_u', 'a < b', 'ge_u', 'gt_u'),
    ('gt_s', 'a.signed > b.signed', 'le_s', 'lt_s'),
    ('gt_u', 'a > b', 'le_u', 'lt_u'),
    ('le_s', 'a.signed <= b.signed', 'gt_s', 'ge_s'),
    ('le_u', 'a <= b', 'gt_u', 'ge_u'),
    ('ge_s', 'a.signed >= b.signed', 'lt_s', 'le_s'),
    ('ge_u', 'a >= b', 'lt_u', 'le_u'),
]
INT_UNARY = [
    ('clz', '{T}(a.leadingZeroBitCount)'),
    ('ctz', '{T}(a.trailingZeroBitCount)'),
    ('popcnt', '{T}(a.nonzeroBitCount)'),
]
# abs, neg and copysign only touch the sign bit (NaN payloads survive), so
# they work on the bits: see FLOAT_SIGN.
FLOAT_UNARY = [
    ('ceil', 'a.rounded(.up)'),
    ('floor', 'a.rounded(.down)'),
    ('trunc', 'a.rounded(.towardZero)'),
    ('nearest', 'a.rounded(.toNearestOrEven)'),
    ('sqrt', 'a.squareRoot()'),
]
FLOAT_BINARY = [
    ('add', 'a + b'),
    ('sub', 'a - b'),
    ('mul', 'a * b'),
    ('div', 'a / b'),
    ('min', 'wasmMinimum(a, b)'),
    ('max', 'wasmMaximum(a, b)'),
]
FLOAT_SIGN = [
    # name, unary?, expression over the bits `a` (and `b`) with sign mask `m`
    ('abs', True, 'a & ~{m}'),
    ('neg', True, 'a ^ {m}'),
    ('copysign', False, '(a & ~{m}) | (b & {m})'),
]
FLOAT_BITS = {'f32': ('i32', '0x8000_0000'), 'f64': ('i64', '0x8000_0000_0000_0000')}
FLOAT_COMPARE = [('eq', '=='), ('ne', '!='), ('lt', '<'), ('gt', '>'), ('le', '<='), ('ge', '>=')]

SWIFT_INT = {'i32': 'UInt32', 'i64': 'UInt64'}
SWIFT_FLOAT = {'f32': 'Float', 'f64': 'Double'}


def unary_body(t, r, expr, traps=()):
    lines = [f'let a = {READ[t].format(slot(2))}']
    lines += [f'if {c} {{ TRAP(.{k}) }}' for c, k in traps]
    lines.append(f'{slot(1)} = {WRITE[r].format(expr)}')
    return lines


def binary_body(t, r, expr, traps=(), immediate=False):
    rhs = IMMEDIATE[t].format(3) if immediate else READ[t].format(slot(3))
    lines = [f'let a = {READ[t].format(slot(2))}', f'let b = {rhs}']
    lines += [f'if {c} {{ TRAP(.{k}) }}' for c, k in traps]
    lines.append(f'{slot(1)} = {WRITE[r].format(expr)}')
    return lines


def add_unary(code, wasm, t, r, expr, traps=(), branch=None):
    op = instruction(camel(wasm), ['dst', 'src'], unary_body(t, r, expr, traps))
    numeric.append((code, wasm, op, [t], r, dict(branch=branch)))


def add_identity(code, wasm, t, r):
    """Reinterpretations (and i64.extend_i32_u) leave the slot's bits as they are."""
    numeric.append((code, wasm, None, [t], r, {}))


branch_ops = {}  # (type, test) -> (register op, immediate op)


def add_compare_branches(t, name, expr):
    """`br_if` fused with an integer comparison: `op lhs, rhs|imm, offset`."""
    reg = branch(f'br_if_{t}_{name}', ['lhs', 'rhs', 'offset'],
                 [f'let a = {READ[t].format(slot(1))}', f'let b = {READ[t].format(slot(2))}'], expr)
    imm = branch(f'br_if_{t}_{name}_imm', ['lhs', 'imm', 'offset'],
                 [f'let a = {READ[t].format(slot(1))}', f'let b = {IMMEDIATE[t].format(2)}'], expr)
    branch_ops[(t, name)] = (reg, imm)


def add_test_branches(t):
    """`br_if` on a value being zero / non-zero: `op cond, offset`."""
    for name, test in (('eqz', '== 0'), ('nez', '!= 0')):
        branch_ops[(t, name)] = (branch(f'br_if_{t}_{name}', ['cond', 'offset'], [],
                                        f'{READ[t].format(slot(1))} {test}'), None)


for t, base in (('i32', 0x45), ('i64', 0x50)):
    add_test_branches(t)
    add_unary(base, f'{t}.eqz', t, 'i32', 'a == 0 ? 1 : 0', branch=('eqz', 'nez'))
    for name, expr, _, _ in INT_COMPARE:
        add_compare_branches(t, name, expr)
    for i, (name, expr, negation, mirror) in enumerate(INT_COMPARE):
        wasm = f'{t}.{name}'
        op = instruction(camel(wasm), ['dst', 'lhs', 'rhs'], binary_body(t, 'i32', f'{expr} ? 1 : 0'))
        imm = instruction(camel(wasm + '_imm'), ['dst', 'lhs', 'imm'],
                          binary_body(t, 'i32', f'{expr} ? 1 : 0', immediate=True))
        numeric.append((base + 1 + i, wasm, op, [t, t], 'i32',
                        dict(imm=imm, swapped=camel(f'{t}.{mirror}_imm'), branch=(name, negation))))
        negations[op] = camel(f'{t}.{negation}')
        negations[imm] = camel(f'{t}.{negation}_imm')

for t, base in (('i32', 0x67), ('i64', 0x79)):
    T = SWIFT_INT[t]
    bits = 32 if t == 'i32' else 64
    for i, (name, expr) in enumerate(INT_UNARY):
        add_unary(base + i, f'{t}.{name}', t, t, expr.format(T=T))
    for i, (name, expr, has_imm, swapped) in enumerate(INT_BINARY):
        wasm = f'{t}.{name}'
        expr = expr.format(allOnes=(1 << bits) - 1)
        traps = signed_div_overflow(t) if name == 'div_s' else TRAP_DIV if name in ('div_u', 'rem_s', 'rem_u') else ()
        op = instruction(camel(wasm), ['dst', 'lhs', 'rhs'], binary_body(t, t, expr, traps))
        extras = {}
        if has_imm:
            extras['imm'] = instruction(camel(wasm + '_imm'), ['dst', 'lhs', 'imm'],
                                        binary_body(t, t, expr, immediate=True))
            if swapped == 'self':
                extras['swapped'] = extras['imm']
        numeric.append((base + 3 + i, wasm, op, [t, t], t, extras))

for t, cmp_base, arith_base in (('f32', 0x5B, 0x8B), ('f64', 0x61, 0x99)):
    for i, (name, operator) in enumerate(FLOAT_COMPARE):
        wasm = f'{t}.{name}'
        op = instruction(camel(wasm), ['dst', 'lhs', 'rhs'], binary_body(t, 'i32', f'a {operator} b ? 1 : 0'))
        numeric.append((cmp_base + i, wasm, op, [t, t], 'i32', {}))
    bits, mask = FLOAT_BITS[t]
    for code, (name, unary, expr) in zip((arith_base, arith_base + 1, arith_base + 13), FLOAT_SIGN):
        wasm = f'{t}.{name}'
        expr = expr.format(m=mask)
        if unary:
            op = instruction(camel(wasm), ['dst', 'src'], unary_body(bits, bits, expr))
            numeric.append((code, wasm, op, [t], t, {}))
        else:
            op = instruction(camel(wasm), ['dst', 'lhs', 'rhs'], binary_body(bits, bits, expr))
            numeric.append((code, wasm, op, [t, t], t, {}))
    for i, (name, expr) in enumerate(FLOAT_UNARY):
        add_unary(arith_base + 2 + i, f'{t}.{name}', t, t, expr)
    for i, (name, expr) in enumerate(FLOAT_BINARY):
        wasm = f'{t}.{name}'
        op = instruction(camel(wasm), ['dst', 'lhs', 'rhs'], binary_body(t, t, expr))
        numeric.append((arith_base + 2 + len(FLOAT_UNARY) + i, wasm, op, [t, t], t, {}))

# Conversions.
add_unary(0xA7, 'i32.wrap_i64', 'i64', 'i32', 'UInt32(truncatingIfNeeded: a)')
code = 0xA8
for r in ('i32', 'i64'):
    for f in ('f32', 'f64'):
        for sign, swift in (('s', 'Int' + r[1:]), ('u', 'UInt' + r[1:])):
            wasm = f'{r}.trunc_{f}_{sign}'
            # Traps are decided by `truncatedExactly`; see Arithmetic.swift.
            op = instruction(camel(wasm), ['dst', 'src'], [
                f'let a = {READ[f].format(slot(2))}',
                f'guard let value = {swift}(truncatingExactly: a) else {{',
                '    TRAP(a.isNaN ? .invalidConversionToInteger : .integerOverflow)',
                '}',
                f'{slot(1)} = {WRITE[r].format(SWIFT_INT[r] + "(truncatingIfNeeded: value)")}'])
            numeric.append((code, wasm, op, [f], r, {}))
            code += 1
    if r == 'i32':
        add_unary(0xAC, 'i64.extend_i32_s', 'i32', 'i64', 'UInt64(bitPattern: Int64(a.signed))')
        add_identity(0xAD, 'i64.extend_i32_u', 'i32', 'i64')
        code = 0xAE
code = 0xB2
for f in ('f32', 'f64'):
    for i in ('i32', 'i64'):
        for sign in ('s', 'u'):
            source = 'a.signed' if sign == 's' else 'a'
            add_unary(code, f'{f}.convert_{i}_{sign}', i, f, f'{SWIFT_FLOAT[f]}({source})')
            code += 1
    if f == 'f32':
        add_unary(0xB6, 'f32.demote_f64', 'f64', 'f32', 'Float(a)')
        code = 0xB7
add_unary(0xBB, 'f64.promote_f32', 'f32', 'f64', 'Double(a)')
add_identity(0xBC, 'i32.reinterpret_f32', 'f32', 'i32')
add_identity(0xBD, 'i64.reinterpret_f64', 'f64', 'i64')
add_identity(0xBE, 'f32.reinterpret_i32', 'i32', 'f32')
add_identity(0xBF, 'f64.reinterpret_i64', 'i64', 'f64')
add_unary(0xC0, 'i32.extend8_s', 'i32', 'i32', 'Int32(Int8(truncatingIfNeeded: a)).unsigned')
add_unary(0xC1, 'i32.extend16_s', 'i32', 'i32', 'Int32(Int16(truncatingIfNeeded: a)).unsigned')
add_unary(0xC2, 'i64.extend8_s', 'i64', 'i64', 'Int64(Int8(truncatingIfNeeded: a)).unsigned')
add_unary(0xC3, 'i64.extend16_s', 'i64', 'i64', 'Int64(Int16(truncatingIfNeeded: a)).unsigned')
add_unary(0xC4, 'i64.extend32_s', 'i64', 'i64', 'Int64(Int32(truncatingIfNeeded: a)).unsigned')
# Saturating truncations: 0xFC 0..7 (keyed 0xFC00 | subopcode).
code = 0xFC00
for r in ('i32', 'i64'):
    for f in ('f32', 'f64'):
        for sign, swift in (('s', 'Int' + r[1:]), ('u', 'UInt' + r[1:])):
            add_unary(code, f'{r}.trunc_sat_{f}_{sign}', f, r,
                      f'{SWIFT_INT[r]}(truncatingIfNeeded: {swift}(truncatingSaturated: a))')
            code += 1

# ---------------------------------------------------------------------------
# Memory access. Operands: `dst|value, address, offset`; the effective
# address is computed in Int (no overflow: both parts are < 2^32). Wasm
# addresses need not be aligned: the typed access compiles to one scalar
# move, which x86-64 and arm64 perform at any alignment.

memory_ops = []  # (wasm opcode, wasm name, value type, natural alignment log2, ops)


def effective_address(size, address_word, offset_word, displacement_word=None):
    """The bounds-checked `address`. With a displacement, the address
    operand is `i32.add(base, displacement)` (wrapping) fused into the access."""
    base = f'UInt32(truncatingIfNeeded: {slot(address_word)})'
    if displacement_word:
        base = f'({base} &+ pc[{displacement_word}])'
    return [f'let address = Int({base}) &+ Int(pc[{offset_word}])',
            f'guard address &+ {size} <= memorySize else {{ TRAP(.memoryOutOfBounds) }}']


LOADS = [
    # internal name, bytes, Swift load type, slot expression from `v`; wasm users
    ('i32.load', 4, 'UInt32', 'UInt64(v)', [(0x28, 'i32.load', 'i32'), (0x2A, 'f32.load', 'f32'), (0x35, 'i64.load32_u', 'i64')]),
    ('i64.load', 8, 'UInt64', 'v', [(0x29, 'i64.load', 'i64'), (0x2B, 'f64.load', 'f64')]),
    ('i32.load8_s', 1, 'Int8', 'UInt64(UInt32(bitPattern: Int32(v)))', [(0x2C, 'i32.load8_s', 'i32')]),
    ('i32.load8_u', 1, 'UInt8', 'UInt64(v)', [(0x2D, 'i32.load8_u', 'i32'), (0x31, 'i64.load8_u', 'i64')]),
    ('i32.load16_s', 2, 'Int16', 'UInt64(UInt32(bitPattern: Int32(v)))', [(0x2E, 'i32.load16_s', 'i32')]),
    ('i32.load16_u', 2, 'UInt16', 'UInt64(v)', [(0x2F, 'i32.load16_u', 'i32'), (0x33, 'i64.load16_u', 'i64')]),
    ('i64.load8_s', 1, 'Int8', 'UInt64(bitPattern: Int64(v))', [(0x30, 'i64.load8_s', 'i64')]),
    ('i64.load16_s', 2, 'Int16', 'UInt64(bitPattern: Int64(v))', [(0x32, 'i64.load16_s', 'i64')]),
    ('i64.load32_s', 4, 'Int32', 'UInt64(bitPattern: Int64(v))', [(0x34, 'i64.load32_s', 'i64')]),
]
STORES = [
    ('i32.store', 4, 'UInt32', [(0x36, 'i32.store', 'i32'), (0x38, 'f32.store', 'f32'), (0x3E, 'i64.store32', 'i64')]),
    ('i64.store', 8, 'UInt64', [(0x37, 'i64.store', 'i64'), (0x39, 'f64.store', 'f64')]),
    ('i32.store8', 1, 'UInt8', [(0x3A, 'i32.store8', 'i32'), (0x3C, 'i64.store8', 'i64')]),
    ('i32.store16', 2, 'UInt16', [(0x3B, 'i32.store16', 'i32'), (0x3D, 'i64.store16', 'i64')]),
]
ALIGN = {1: 0, 2: 1, 4: 2, 8: 3}
for name, size, swift, widen, users in LOADS:
    load = [f'let v = (memoryBase + address).assumingMemoryBound(to: {swift}.self).pointee', f'{slot(1)} = {widen}']
    op = instruction(camel(name), ['dst', 'address', 'offset'], effective_address(size, 2, 3) + load)
    displaced = instruction(camel(name + '_displaced'), ['dst', 'base', 'displacement', 'offset'],
                            effective_address(size, 2, 4, displacement_word=3) + load)
    for code, wasm, t in users:
        memory_ops.append((code, wasm, t, ALIGN[size], dict(op=op, displaced=displaced)))
for name, size, swift, users in STORES:
    def store(value):
        return [f'(memoryBase + address).assumingMemoryBound(to: {swift}.self).pointee = {swift}(truncatingIfNeeded: {value})']
    op = instruction(camel(name), ['address', 'value', 'offset'], effective_address(size, 1, 3) + store(slot(2)))
    displaced = instruction(camel(name + '_displaced'), ['base', 'value', 'displacement', 'offset'],
                            effective_address(size, 1, 4, displacement_word=3) + store(slot(2)))
    # A constant value: sign-extended 32-bit immediate (exact for every width but i64).
    immediate = instruction(camel(name + '_imm'), ['address', 'imm', 'offset'],
                            effective_address(size, 1, 3) + store('Int64(Int32(bitPattern: pc[2]))'))
    for code, wasm, t in users:
        memory_ops.append((code, wasm, t, ALIGN[size], dict(op=op, displaced=displaced, immediate=immediate)))

# ---------------------------------------------------------------------------
# Everything else: data movement, control, calls, memory/table management.
# Snippets in capitals are expanded below.

RELOAD_MEMORY = '''\
if let memory = instance.pointee.memory {
    memoryBase = memory.pointee.base
    memorySize = memory.pointee.byteCount
} else {
    memorySize = 0
}'''


# Enters Wasm function `callee` (of `calleeInstance`) whose frame starts at
# the argument slots `pc[{argWord}]`; the caller resumes at pc + {size}.
ENTER_FUNCTION = '''\
let newFrame = fp + Int(pc[{argWord}])
guard depth < maxDepth, newFrame + callee.pointee.frameSize <= valueLimit else {{
    TRAP(.callStackExhausted)
}}
frames[depth] = Frame(returnPC: pc + {size}, fp: fp, instance: instance, function: function)
depth &+= 1
var local = callee.pointee.parameterCount
let localEnd = callee.pointee.localCount
while local < localEnd {{
    newFrame[local] = 0
    local &+= 1
}}
fp = newFrame
function = callee
pc = callee.pointee.code
'''

# Calls function entity `entity`: Wasm (possibly of another instance) or host.
def escaped(text):
    return text.replace('{', '{{').replace('}', '}}')


CALL_ENTITY = '''\
if let callee = UnsafePointer(entity.pointee.code) {{
    let calleeInstance = entity.pointee.instance.unsafelyUnwrapped
''' + '\n'.join('    ' + l for l in ENTER_FUNCTION.splitlines()) + '''
    if calleeInstance != instance {{
        instance = calleeInstance
''' + '\n'.join('        ' + l for l in escaped(RELOAD_MEMORY).splitlines()) + '''
    }}
''' + '\n'.join('    ' + l for l in escaped(CHECK_INTERRUPTION).splitlines()) + '''
}} else {{
    // A host function may re-enter the interpreter: publish the stack tops.
    self.depth = depth
    self.valueTop = fp + function.pointee.frameSize
    if fuelEnabled {{ store.fuelRemaining = fuel }}
    do {{
        try store.hostFunctions[entity.pointee.hostIndex].body(
            Caller(instanceEntity: instance, store: store), fp + Int(pc[{argWord}]))
    }} catch {{
        throw hostTrapped(error, function: function, instance: instance, depth: depth, entryDepth: entryDepth)
    }}
    if fuelEnabled {{ fuel = store.fuelRemaining }}
''' + '\n'.join('    ' + l for l in escaped(RELOAD_MEMORY).splitlines()) + '''
    pc += {size}
}}'''

RETURN = '''\
if depth == entryDepth { break dispatch }
depth &-= 1
let frame = frames[depth]
pc = frame.returnPC
fp = frame.fp
function = frame.function
instance = frame.instance
''' + RELOAD_MEMORY


def u32(word):
    return f'UInt32(truncatingIfNeeded: {slot(word)})'


def index(word):
    return f'Int(UInt32(truncatingIfNeeded: {slot(word)}))'


def lines(text):
    return text.splitlines()


TRAP_OOB_MEMORY = '{ TRAP(.memoryOutOfBounds) }'
TRAP_OOB_TABLE = '{ TRAP(.tableOutOfBounds) }'

instruction('unreachable', [], ['TRAP(.unreachable)'], advances=False)
instruction('copy', ['dst', 'src'], [f'{slot(1)} = {slot(2)}'])
# Two copies in sequence (local shuffles often come in runs).
instruction('copy2', ['dst', 'src', 'dst2', 'src2'], [f'{slot(1)} = {slot(2)}', f'{slot(3)} = {slot(4)}'])
instruction('const32', ['dst', 'imm'], [f'{slot(1)} = UInt64(pc[2])'])
instruction('const64', ['dst', 'imm64'], [f'{slot(1)} = UInt64(pc[2]) | UInt64(pc[3]) << 32'])
instruction('select', ['dst', 'cond', 'lhs', 'rhs'],
            [f'{slot(1)} = {u32(2)} != 0 ? {slot(3)} : {slot(4)}'])
instruction('global.get', ['dst', 'global'], [f'{slot(1)} = instance.pointee.globals[Int(pc[2])].pointee.value'])
instruction('global.set', ['global', 'src'], [f'instance.pointee.globals[Int(pc[1])].pointee.value = {slot(2)}'])

branch('br', ['offset'], [], None)
# `br_table index, count, offset[count] ..., defaultOffset`; offsets are relative to the instruction.
instruction('br_table', ['index', 'count'], [
    f'let index = {u32(1)}',
    'let chosen = index < pc[2] ? index : pc[2]',  # `min` would be an out-of-line call here
    'pc += Int(Int32(bitPattern: pc[3 + Int(chosen)]))'], advances=False)
instruction('return', [], lines(RETURN), advances=False)
# The common single-result return: moves the result to slot 0 first.
instruction('return_value', ['src'], [f'fp[0] = {slot(1)}'] + lines(RETURN), advances=False)
# A call of a function defined in the same module: its `CompiledFunction` address is in the code.
instruction('call', ['callee64', 'arguments'], [
    'let callee = UnsafePointer<CompiledFunction>(bitPattern: UInt(pc[1]) | UInt(pc[2]) << 32).unsafelyUnwrapped']
    + lines(ENTER_FUNCTION.format(argWord=3, size=4)) + lines(CHECK_INTERRUPTION), advances=False)
instruction('call_import', ['function', 'arguments'], [
    'let entity = instance.pointee.functions[Int(pc[1])]']
    + lines(CALL_ENTITY.format(argWord=2, size=3)), advances=False)
instruction('call_indirect', ['type', 'table', 'index', 'arguments'], [
    'let table = instance.pointee.tables[Int(pc[2])]',
    f'let element = {index(3)}',
    'guard element < table.pointee.count else { TRAP(.undefinedElement) }',
    'guard let entity = UnsafeMutablePointer<FunctionEntity>(bitPattern: UInt(table.pointee.elements[element])) else {',
    '    TRAP(.uninitializedElement)',
    '}',
    'guard entity.pointee.typeID == instance.pointee.typeIDs[Int(pc[1])] else {',
    '    TRAP(.indirectCallTypeMismatch)',
    '}'] + lines(CALL_ENTITY.format(argWord=4, size=5)), advances=False)

instruction('memory.size', ['dst'], [f'{slot(1)} = UInt64(memorySize / MemoryEntity.pageSize)'])
instruction('memory.grow', ['dst', 'delta'], [
    f'let delta = {index(2)}',
    'let previous = instance.pointee.memory.unsafelyUnwrapped.pointee.grow(byPages: delta)',
    f'{slot(1)} = UInt64(UInt32(truncatingIfNeeded: previous))'] + lines(RELOAD_MEMORY))
instruction('memory.fill', ['destination', 'value', 'count'], [
    f'let destination = {index(1)}', f'let count = {index(3)}',
    f'guard destination &+ count <= memorySize else {TRAP_OOB_MEMORY}',
    f'(memoryBase + destination).initializeMemory(as: UInt8.self, repeating: UInt8(truncatingIfNeeded: {slot(2)}), count: count)'])
instruction('memory.copy', ['destination', 'source', 'count'], [
    f'let destination = {index(1)}', f'let source = {index(2)}', f'let count = {index(3)}',
    f'guard destination &+ count <= memorySize, source &+ count <= memorySize else {TRAP_OOB_MEMORY}',
    '(memoryBase + destination).copyMemory(from: memoryBase + source, byteCount: count)'])
instruction('memory.init', ['segment', 'destination', 'source', 'count'], [
    'let segment = instance.pointee.dataSegments + Int(pc[1])',
    f'let destination = {index(2)}', f'let source = {index(3)}', f'let count = {index(4)}',
    f'guard destination &+ count <= memorySize, source &+ count <= segment.pointee.count else {TRAP_OOB_MEMORY}',
    'if count > 0 { (memoryBase + destination).copyMemory(from: segment.pointee.bytes.unsafelyUnwrapped + source, byteCount: count) }'])
instruction('data.drop', ['segment'], ['instance.pointee.dataSegments[Int(pc[1])].count = 0'])

instruction('table.get', ['dst', 'table', 'index'], [
    'let table = instance.pointee.tables[Int(pc[2])]', f'let element = {index(3)}',
    f'guard element < table.pointee.count else {TRAP_OOB_TABLE}',
    f'{slot(1)} = table.pointee.elements[element]'])
instruction('table.set', ['table', 'index', 'value'], [
    'let table = instance.pointee.tables[Int(pc[1])]', f'let element = {index(2)}',
    f'guard element < table.pointee.count else {TRAP_OOB_TABLE}',
    f'table.pointee.elements[element] = {slot(3)}'])
instruction('table.size', ['dst', 'table'], [f'{slot(1)} = UInt64(instance.pointee.tables[Int(pc[2])].pointee.count)'])
instruction('table.grow', ['dst', 'table', 'value', 'delta'], [
    f'let previous = instance.pointee.tables[Int(pc[2])].pointee.grow(by: {index(4)}, initialValue: {slot(3)})',
    f'{slot(1)} = UInt64(UInt32(truncatingIfNeeded: previous))'])
instruction('table.fill', ['table', 'destination', 'value', 'count'], [
    'let table = instance.pointee.tables[Int(pc[1])]',
    f'let destination = {index(2)}', f'let count = {index(4)}',
    f'guard destination &+ count <= table.pointee.count else {TRAP_OOB_TABLE}',
    f'(table.pointee.elements + destination).update(repeating: {slot(3)}, count: count)'])
instruction('table.copy', ['destinationTable', 'sourceTable', 'destination', 'source', 'count'], [
    'let destinationTable = instance.pointee.tables[Int(pc[1])]',
    'let sourceTable = instance.pointee.tables[Int(pc[2])]',
    f'let destination = {index(3)}', f'let source = {index(4)}', f'let count = {index(5)}',
    'guard destination &+ count <= destinationTable.pointee.count,',
    f'      source &+ count <= sourceTable.pointee.count else {TRAP_OOB_TABLE}',
    'UnsafeMutableRawPointer(destinationTable.pointee.elements + destination)',
    '    .copyMemory(from: sourceTable.pointee.elements + source, byteCount: count &* 8)'])
instruction('table.init', ['table', 'segment', 'destination', 'source', 'count'], [
    'let table = instance.pointee.tables[Int(pc[1])]',
    'let segment = instance.pointee.elementSegments + Int(pc[2])',
    f'let destination = {index(3)}', f'let source = {index(4)}', f'let count = {index(5)}',
    'guard destination &+ count <= table.pointee.count,',
    f'      source &+ count <= segment.pointee.count else {TRAP_OOB_TABLE}',
    'if count > 0 { (table.pointee.elements + destination).update(from: segment.pointee.items.unsafelyUnwrapped + source, count: count) }'])
instruction('elem.drop', ['segment'], ['instance.pointee.elementSegments[Int(pc[1])].count = 0'])
instruction('ref.func', ['dst', 'function'], [f'{slot(1)} = UInt64(UInt(bitPattern: instance.pointee.functions[Int(pc[2])]))'])

# ---------------------------------------------------------------------------
# Output.

def swift_type(t):
    return '.' + t


def op_ref(name):
    return '.' + camel(name) if name else 'nil'


SWIFT_KEYWORDS = {'return'}


def declared(name):
    return f'`{name}`' if name in SWIFT_KEYWORDS else name


# Traps leave the loop by throwing (state is passed to the out-of-line
# `trapped`), so no trap value is carried around the dispatch loop.
STATE_ARGUMENTS = 'function: function, instance: instance, depth: depth, entryDepth: entryDepth, fuel: fuel, store: store'


def expand_traps(line):
    return re.sub(r'TRAP\(([^()]*)\)', lambda m: f'throw trapped({m.group(1)}, {STATE_ARGUMENTS})', line)


def generate():
    names = [camel(i.name) for i in instructions]
    assert len(set(names)) == len(names), 'duplicate instruction names'
    out = []
    w = out.append
    w('// GENERATED by Utilities/generate-interpreter.py -- do not edit.')
    w('// The instruction set is described there; docs/engine.md explains the design.')
    w('import Synchronization')
    w('import TernFormat')
    w('')
    w('/// Internal opcodes. The code stream stores `rawValue` in a 32-bit word; the')
    w('/// interpreter reads the word back as `Op` (a payload-free enum whose')
    w('/// in-memory tag is its declaration index, equal to `rawValue`).')
    w('enum Op: UInt16, CaseIterable {')
    for i in instructions:
        operands = ', '.join(i.operands)
        w(f'    case {declared(camel(i.name))}  // {i.words} words{": " + operands if operands else ""}')
    w('}')
    w('')
    w('extension Op {')
    w('    /// Code words taken by an instruction (the opcode word included);')
    w('    /// `brTable` adds one word per target.')
    w('    var wordCount: Int {')
    w('        switch self {')
    by_words = {}
    for i in instructions:
        by_words.setdefault(i.words, []).append('.' + camel(i.name))
    for words, ops in sorted(by_words.items()):
        w(f'        case {", ".join(ops)}: {words}')
    w('        }')
    w('    }')
    w('}')
    w('')
    # Compiler tables.
    w('extension Op {')
    w('    /// The twin of a branch instruction for loop back edges, which also')
    w('    /// checks for interruption and fuel.')
    w('    var backEdge: Op? {')
    w('        switch self {')
    for forward, back in back_edges.items():
        w(f'        case .{forward}: .{back}')
    w('        default: nil')
    w('        }')
    w('    }')
    w('}')
    w('')
    w('extension Op {')
    w('    /// The integer comparison testing the opposite (`i32.eqz` of a')
    w('    /// comparison just emitted flips it instead of adding an instruction).')
    w('    var negatedComparison: Op? {')
    w('        switch self {')
    for op, negated in negations.items():
        w(f'        case .{op}: .{negated}')
    w('        default: nil')
    w('        }')
    w('    }')
    w('}')
    w('')
    w('/// The Wasm numeric instructions (keyed by opcode; 0xFC-prefixed ones as')
    w('/// 0xFC00 | subopcode), for the compiler.')
    w('func numericInstruction(_ code: UInt16) -> NumericInstruction? {')
    w('    switch code {')
    for code, wasm, op, params, result, extras in numeric:
        args = [f'operation: {op_ref(op)}',
                f'parameters: [{", ".join(swift_type(p) for p in params)}]', f'result: {swift_type(result)}']
        if extras.get('imm'):
            args.append(f'immediate: .{extras["imm"]}')
        if extras.get('swapped'):
            args.append(f'swappedImmediate: .{extras["swapped"]}')
        if extras.get('branch'):
            t = params[0]
            taken, not_taken = extras['branch']
            reg, imm = branch_ops[(t, taken)]
            nreg, nimm = branch_ops[(t, not_taken)]
            args.append(f'branch: BranchFusion(ifTrue: .{reg}, ifFalse: .{nreg}, '
                        f'ifTrueImmediate: {op_ref(imm)}, ifFalseImmediate: {op_ref(nimm)})')
        w(f'    case 0x{code:X}:  // {wasm}')
        w(f'        NumericInstruction({", ".join(args)})')
    w('    default: nil')
    w('    }')
    w('}')
    w('')
    w('/// The Wasm load and store instructions, for the compiler.')
    w('func memoryInstruction(_ opcode: UInt8) -> MemoryInstruction? {')
    w('    switch opcode {')
    for code, wasm, t, align, ops in sorted(memory_ops):
        immediate = f'.{ops["immediate"]}' if 'immediate' in ops else 'nil'
        w(f'    case 0x{code:X}:  // {wasm}')
        w(f'        MemoryInstruction(operation: .{ops["op"]}, '
          f'displaced: .{ops["displaced"]}, immediate: {immediate}, type: .{t}, naturalAlignment: {align}, '
          f'isStore: {"true" if "immediate" in ops else "false"})')
    w('    default: nil')
    w('    }')
    w('}')
    w('')
    # Interpreter.
    w('extension ExecutionStack {')
    w('    /// Runs `function` (of `instance`, frame at `fp`, arguments in place)')
    w('    /// until it returns; Wasm calls push `Frame`s instead of recursing.')
    w('    func run(_ function: UnsafePointer<CompiledFunction>, instance: UnsafeMutablePointer<InstanceEntity>,')
    w('             fp: UnsafeMutablePointer<UInt64>, store: Store) throws(Trap) {')
    w('        var function = function')
    w('        var instance = instance')
    w('        var fp = fp')
    w('        var pc = function.pointee.code')
    w('        // Any valid address; never dereferenced while `memorySize` is 0.')
    w('        var memoryBase = UnsafeMutableRawPointer(fp)')
    w('        var memorySize = 0')
    for l in RELOAD_MEMORY.splitlines():
        w('        ' + l)
    w('        let frames = self.frames')
    w('        let entryDepth = self.depth')
    w('        var depth = entryDepth')
    w('        let maxDepth = Swift.min(store.maxCallDepth, frameCapacity)')
    w('        let valueLimit = self.valueLimit')
    w('        let interruptWord = store.interruptWord')
    w('        let fuelEnabled = store.isFuelEnabled')
    w('        var fuel = store.fuelRemaining')
    w('')
    w('        dispatch: while true {')
    w('            switch UnsafeRawPointer(pc).load(as: Op.self) {')
    for i in instructions:
        w(f'            case .{camel(i.name)}:')
        for l in i.body:
            w('                ' + expand_traps(l))
        if i.advances:
            w(f'                pc += {i.words}')
    w('            }')
    w('        }')
    w('')
    w('        if fuelEnabled { store.fuelRemaining = fuel }')
    w('    }')
    w('}')
    w('')
    return '\n'.join(out)


if __name__ == '__main__':
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, 'Sources/TernEngine/Execution/Interpreter.generated.swift')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(generate())
    print(f'wrote {path}: {len(instructions)} instructions')
