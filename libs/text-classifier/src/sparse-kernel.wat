(module
  (import "env" "mem" (memory 1 65536))
  ;; what the next row's reads gave (kept, so that they are not left out as unused)
  (global $touched (mut i32) (i32.const 0))
  ;; where the solver's arrays lie in the memory (set once by "layout"; the epoch reads them)
  (global $idx (mut i32) (i32.const 0))
  (global $val (mut i32) (i32.const 0))
  (global $w (mut i32) (i32.const 0))
  (global $wb (mut i32) (i32.const 0))
  (global $indptr (mut i32) (i32.const 0))
  (global $index (mut i32) (i32.const 0))
  (global $alpha (mut i32) (i32.const 0))
  (global $sign (mut i32) (i32.const 0))
  (global $diag (mut i32) (i32.const 0))
  (global $upper (mut i32) (i32.const 0))
  (global $qd (mut i32) (i32.const 0))
  ;; the last epoch's largest and smallest projected gradients
  (global $pgmax (mut f64) (f64.const 0))
  (global $pgmin (mut f64) (f64.const 0))
  ;; sum over p in [from, to) of w[idx[p]] * val[p], four partial sums as the JS loop; first one read per 64
  ;; bytes of the terms in [next, nextTo) (the next row the solver visits), so that its lines are on their way
  ;; to the cache while this row's sum is computed (the rows are visited in a random order, which the
  ;; processor's own prefetching cannot follow)
  (func $dot (export "dot") (param $from i32) (param $to i32) (param $idx i32) (param $val i32) (param $w i32)
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
  (func $axpy (export "axpy") (param $from i32) (param $to i32) (param $idx i32) (param $val i32) (param $w i32) (param $d f64)
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
  (func (export "layout") (param $idx i32) (param $val i32) (param $w i32) (param $wb i32) (param $indptr i32)
    (param $index i32) (param $alpha i32) (param $sign i32) (param $diag i32) (param $upper i32) (param $qd i32)
    (global.set $idx (local.get $idx)) (global.set $val (local.get $val)) (global.set $w (local.get $w))
    (global.set $wb (local.get $wb)) (global.set $indptr (local.get $indptr)) (global.set $index (local.get $index))
    (global.set $alpha (local.get $alpha)) (global.set $sign (local.get $sign)) (global.set $diag (local.get $diag))
    (global.set $upper (local.get $upper)) (global.set $qd (local.get $qd)))
  (func (export "pgmax") (result f64) (global.get $pgmax))
  (func (export "pgmin") (result f64) (global.get $pgmin))
  ;; One pass of the squared-hinge / hinge dual coordinate descent over index[0, active): solveSvmDual's loop in
  ;; linear.ts, the same operations in the same order (so the same weights to the bit), without a call from
  ;; JavaScript per row. Returns the active set's new size; the pass's extreme projected gradients in
  ;; $pgmax / $pgmin.
  (func (export "epoch") (param $active i32) (param $pgmaxOld f64) (param $pgminOld f64) (param $shrink i32)
    (param $bias f64) (result i32)
    (local $s i32) (local $i i32) (local $at i32) (local $next i32) (local $from i32) (local $to i32)
    (local $yi f64) (local $ai f64) (local $G f64) (local $C f64) (local $PG f64) (local $a f64) (local $d f64)
    (local $pgmaxNew f64) (local $pgminNew f64)
    (local.set $pgmaxNew (f64.const -inf))
    (local.set $pgminNew (f64.const inf))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $s) (local.get $active)))
        (local.set $i (i32.load (i32.add (global.get $index) (i32.shl (local.get $s) (i32.const 2)))))
        (local.set $at (i32.shl (local.get $i) (i32.const 3)))
        (local.set $yi (f64.load (i32.add (global.get $sign) (local.get $at))))
        (local.set $from (i32.load (i32.add (global.get $indptr) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $to (i32.load offset=4 (i32.add (global.get $indptr) (i32.shl (local.get $i) (i32.const 2)))))
        ;; the row visited next, unless this one leaves the active set (its terms only read ahead)
        (local.set $next
          (if (result i32) (i32.lt_s (i32.add (local.get $s) (i32.const 1)) (local.get $active))
            (then (i32.load offset=4 (i32.add (global.get $index) (i32.shl (local.get $s) (i32.const 2)))))
            (else (local.get $i))))
        (local.set $ai (f64.load (i32.add (global.get $alpha) (local.get $at))))
        ;; G = yi * (w[cols] * bias + sum) - 1 + ai * diag[i]
        (local.set $G (f64.add
          (f64.sub
            (f64.mul (local.get $yi)
              (f64.add (f64.mul (f64.load (global.get $wb)) (local.get $bias))
                (call $dot (local.get $from) (local.get $to) (global.get $idx) (global.get $val) (global.get $w)
                  (i32.load (i32.add (global.get $indptr) (i32.shl (local.get $next) (i32.const 2))))
                  (i32.load offset=4 (i32.add (global.get $indptr) (i32.shl (local.get $next) (i32.const 2)))))))
            (f64.const 1))
          (f64.mul (local.get $ai) (f64.load (i32.add (global.get $diag) (local.get $at))))))
        (local.set $C (f64.load (i32.add (global.get $upper) (local.get $at))))
        (local.set $PG (f64.const 0))
        (block $visit
          (block $shrunk
            (if (f64.eq (local.get $ai) (f64.const 0))
              (then
                (br_if $shrunk (i32.and (local.get $shrink) (f64.gt (local.get $G) (local.get $pgmaxOld))))
                (if (f64.lt (local.get $G) (f64.const 0)) (then (local.set $PG (local.get $G)))))
              (else
                (if (f64.eq (local.get $ai) (local.get $C))
                  (then
                    (br_if $shrunk (i32.and (local.get $shrink) (f64.lt (local.get $G) (local.get $pgminOld))))
                    (if (f64.gt (local.get $G) (f64.const 0)) (then (local.set $PG (local.get $G)))))
                  (else (local.set $PG (local.get $G))))))
            (br $visit))
          ;; the row leaves the active set: swapped with its last row, which is visited next at the same s
          (local.set $active (i32.sub (local.get $active) (i32.const 1)))
          (i32.store (i32.add (global.get $index) (i32.shl (local.get $s) (i32.const 2)))
            (i32.load (i32.add (global.get $index) (i32.shl (local.get $active) (i32.const 2)))))
          (i32.store (i32.add (global.get $index) (i32.shl (local.get $active) (i32.const 2))) (local.get $i))
          (br $rows))
        (if (f64.gt (local.get $PG) (local.get $pgmaxNew)) (then (local.set $pgmaxNew (local.get $PG))))
        (if (f64.lt (local.get $PG) (local.get $pgminNew)) (then (local.set $pgminNew (local.get $PG))))
        (if (f64.gt (f64.abs (local.get $PG)) (f64.const 1e-12))
          (then
            (local.set $a (f64.min
              (f64.max
                (f64.sub (local.get $ai) (f64.div (local.get $G) (f64.load (i32.add (global.get $qd) (local.get $at)))))
                (f64.const 0))
              (local.get $C)))
            (f64.store (i32.add (global.get $alpha) (local.get $at)) (local.get $a))
            (local.set $d (f64.mul (f64.sub (local.get $a) (local.get $ai)) (local.get $yi)))
            (call $axpy (local.get $from) (local.get $to) (global.get $idx) (global.get $val) (global.get $w) (local.get $d))
            (f64.store (global.get $wb)
              (f64.add (f64.load (global.get $wb)) (f64.mul (local.get $d) (local.get $bias))))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $rows)))
    (global.set $pgmax (local.get $pgmaxNew))
    (global.set $pgmin (local.get $pgminNew))
    (local.get $active))
)
