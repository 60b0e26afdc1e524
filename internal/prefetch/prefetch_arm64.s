#include "textflag.h"

// func Bytes(p unsafe.Pointer, n uintptr)
TEXT ·Bytes(SB), NOSPLIT, $0-16
	MOVD p+0(FP), R0
	MOVD n+8(FP), R1
	ADD  R0, R1, R1
loop:
	PRFM (R0), PLDL1KEEP
	ADD  $64, R0, R0
	CMP  R1, R0
	BLO  loop
	RET

// func BytesForWrite(p unsafe.Pointer, n uintptr)
TEXT ·BytesForWrite(SB), NOSPLIT, $0-16
	MOVD p+0(FP), R0
	MOVD n+8(FP), R1
	ADD  R0, R1, R1
wloop:
	PRFM (R0), PSTL1KEEP
	ADD  $64, R0, R0
	CMP  R1, R0
	BLO  wloop
	RET
