(module
  (import "env" "mem" (memory 1 65536))
  ;; what the next row's reads gave (kept, so that they are not left out as unused)
  (global $touched (mut i32) (i32.const 0))
  ;; sum over p in [from, to) of w[idx[p]] * val[p], four partial sums as the JS loop; first one read per 64
  ;; bytes of the terms in [next, nextTo) (the next row the solver visits), so that its lines are on their way
  ;; to the cache while this row's sum is computed (the rows are visited in a random order, which the
  ;; processor's own prefetching cannot follow)
  (func (export "dot") (param $from i32) (param $to i32) (param $idx i32) (param $val i32) (param $w i32)
    (param $next i32) (param $nextTo i32) (result f64)
    (local $p i32) (local $d0 f64) (local $d1 f64) (local $d2 f64) (local $d3 f64) (local $pi i32) (local $pv i32)
    (local $t i32)
    (local.set $p (local.get $next))
    (block $touchedAll
      (loop $touch
        (br_if $touchedAll (i32.ge_s (local.get $p) (local.get $nextTo)))
        (local.set $t (i32.xor (local.get $t) (i32.xor
          (i32.load (i32.add (local.get $idx) (i32.shl (local.get $p) (i32.const 2))))
          (i32.load (i32.add (local.get $val) (i32.shl (local.get $p) (i32.const 2)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $touch)))
    (local.set $p (local.get $from))
    (block $done4
      (loop $l4
        (br_if $done4 (i32.ge_s (i32.add (local.get $p) (i32.const 3)) (local.get $to)))
        (local.set $pi (i32.add (local.get $idx) (i32.shl (local.get $p) (i32.const 2))))
        (local.set $pv (i32.add (local.get $val) (i32.shl (local.get $p) (i32.const 2))))
        (local.set $d0 (f64.add (local.get $d0) (f64.mul
          (f64.load (i32.add (local.get $w) (i32.shl (i32.load offset=0 (local.get $pi)) (i32.const 3))))
          (f64.promote_f32 (f32.load offset=0 (local.get $pv))))))
        (local.set $d1 (f64.add (local.get $d1) (f64.mul
          (f64.load (i32.add (local.get $w) (i32.shl (i32.load offset=4 (local.get $pi)) (i32.const 3))))
          (f64.promote_f32 (f32.load offset=4 (local.get $pv))))))
        (local.set $d2 (f64.add (local.get $d2) (f64.mul
          (f64.load (i32.add (local.get $w) (i32.shl (i32.load offset=8 (local.get $pi)) (i32.const 3))))
          (f64.promote_f32 (f32.load offset=8 (local.get $pv))))))
        (local.set $d3 (f64.add (local.get $d3) (f64.mul
          (f64.load (i32.add (local.get $w) (i32.shl (i32.load offset=12 (local.get $pi)) (i32.const 3))))
          (f64.promote_f32 (f32.load offset=12 (local.get $pv))))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $l4)))
    (block $done1
      (loop $l1
        (br_if $done1 (i32.ge_s (local.get $p) (local.get $to)))
        (local.set $d0 (f64.add (local.get $d0) (f64.mul
          (f64.load (i32.add (local.get $w) (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $p) (i32.const 2)))) (i32.const 3))))
          (f64.promote_f32 (f32.load (i32.add (local.get $val) (i32.shl (local.get $p) (i32.const 2))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $l1)))
    (global.set $touched (local.get $t))
    (f64.add (f64.add (local.get $d0) (local.get $d1)) (f64.add (local.get $d2) (local.get $d3))))
  ;; w[idx[p]] += d * val[p] for p in [from, to)
  (func (export "axpy") (param $from i32) (param $to i32) (param $idx i32) (param $val i32) (param $w i32) (param $d f64)
    (local $p i32) (local $a i32)
    (local.set $p (local.get $from))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $p) (local.get $to)))
        (local.set $a (i32.add (local.get $w) (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $p) (i32.const 2)))) (i32.const 3))))
        (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.mul (local.get $d)
          (f64.promote_f32 (f32.load (i32.add (local.get $val) (i32.shl (local.get $p) (i32.const 2))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $l)))
  )
)
