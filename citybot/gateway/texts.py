"""Citizen-facing text the gateway sends on its own (when Rasa is not involved)."""

EMPTY_MESSAGE = "Pesan Anda kosong. Silakan ketik pertanyaan atau pilih menu, ya."
TOO_LONG = (
    "Maaf, pesan Anda terlalu panjang (lebih dari 4.000 karakter). "
    "Mohon diringkas atau dikirim dalam beberapa bagian."
)
BUSY = (
    "Maaf, sistem kami sedang sibuk dan belum bisa menjawab. Pesan Anda belum hilang: "
    "silakan kirim ulang beberapa saat lagi."
)
