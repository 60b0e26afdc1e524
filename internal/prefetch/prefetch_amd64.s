#include "textflag.h"

// func Bytes(p unsafe.Pointer, n uintptr)
TEXT ·Bytes(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), AX
	MOVQ n+8(FP), CX
	ADDQ AX, CX
loop:
	PREFETCHT0 (AX)
	ADDQ $64, AX
	CMPQ AX, CX
	JCS  loop
	RET

// func BytesForWrite(p unsafe.Pointer, n uintptr)
TEXT ·BytesForWrite(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), AX
	MOVQ n+8(FP), CX
	ADDQ AX, CX
wloop:
	// PREFETCHW (AX), which the Go assembler does not know; processors without it (Intel's
	// before Broadwell) run it as a no-op.
	BYTE $0x0F; BYTE $0x0D; BYTE $0x08
	ADDQ $64, AX
	CMPQ AX, CX
	JCS  wloop
	RET
