"""Citizen-facing text the gateway sends on its own (when Rasa is not involved)."""

EMPTY_MESSAGE = "Pesan Anda kosong. Silakan ketik pertanyaan atau pilih menu, ya."
TOO_LONG = (
    "Maaf, pesan Anda terlalu panjang (lebih dari 4.000 karakter). Mohon diringkas atau dikirim dalam beberapa bagian."
)
BUSY = (
    "Maaf, sistem kami sedang sibuk dan belum bisa menjawab. Pesan Anda belum hilang: "
    "silakan kirim ulang beberapa saat lagi."
)
RATE_LIMITED = (
    "Mohon maaf, pesan Anda terlalu banyak dalam waktu singkat. Silakan tunggu sekitar satu menit, lalu kirim lagi, ya."
)
NOT_SUPPORTED = "Maaf, jenis pesan ini belum bisa kami proses. Silakan kirim teks, foto, atau lokasi, ya."
PHOTO_FAILED = "Maaf, foto Anda gagal kami terima. Silakan coba kirim ulang, ya."
STATUS_CHANGED = "Laporan {ticket} kini berstatus {status_label}"
STATUS_RESOLVED_QUESTION = "Apakah masalahnya sudah benar-benar beres?"
BUTTON_RESOLVED = "Sudah beres"
BUTTON_NOT_RESOLVED = "Belum"
CHOOSE = "Silakan pilih:"
LIST_BUTTON = "Pilih"
AGENT_JOINED = "Anda sekarang terhubung dengan petugas {agent}. Silakan sampaikan pertanyaan Anda."
AGENT_LEFT = (
    "Percakapan dengan petugas sudah selesai. Anda kembali dilayani Asisten Kota. Ada lagi yang bisa kami bantu?"
)
NO_ANSWER = (
    'Maaf, saya belum bisa menanggapi pesan itu. Ketik "menu" untuk melihat layanan yang tersedia, '
    "atau tulis pertanyaan Anda dengan kalimat lain, ya."
)
UNREADABLE = "Maaf, pesan Anda berisi karakter yang tidak bisa kami baca. Silakan ketik ulang pesannya, ya."
NETWORK_BUSY = (
    "Mohon maaf, dari jaringan internet Anda sedang masuk banyak sekali pesan. Silakan tunggu sekitar "
    "satu menit, lalu kirim lagi, ya."
)
LOOKUPS_LIMITED = (
    "Mohon maaf, pengecekan status laporan sudah terlalu sering dalam satu jam terakhir. Silakan coba "
    'lagi nanti, atau ketik "bicara dengan petugas" bila mendesak.'
)
COMPLAINTS_LIMITED = (
    "Mohon maaf, dari jaringan internet Anda sudah masuk banyak laporan dalam satu jam terakhir. Agar "
    "semua laporan tertangani, silakan kirim lagi sekitar satu jam lagi. Bila mendesak, ketik "
    '"bicara dengan petugas".'
)
PHOTOS_LIMITED = (
    "Mohon maaf, foto yang dikirim sudah terlalu banyak dalam satu jam terakhir. Silakan coba lagi nanti, ya."
)
PHOTO_TOO_LARGE = "Maaf, foto Anda terlalu besar. Silakan kirim foto yang lebih kecil (paling besar {mb} MB), ya."
TOO_LARGE = "Maaf, kiriman Anda terlalu besar untuk kami terima. Untuk foto, kirim foto yang lebih kecil, ya."
