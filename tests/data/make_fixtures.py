"""Writes the small, hand-checkable fixtures in this folder.

Run from anywhere: python tests/data/make_fixtures.py (needs openpyxl for the
workbook). The files are committed; this script documents how they were made.
No real customer data: every name, id and number here is invented.
"""
import datetime as dt
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


# A GBK export from Chinese Excel: semicolons, Chinese headers with a unit,
# dates in four styles (one an Excel serial), ￥ and thousands separators,
# an order with two lines, a refund, and four rows that cannot be used.
GBK_ROWS = """订单编号;会员编号;购买时间;实付金额（元）;备注
SO1001;VIP001;2024/1/5;1,280.00;首单
SO1002;VIP002;2024年1月8日;￥99.00;
SO1003;VIP001;2024-02-10 10:30:00;560;
SO1003;VIP001;2024-02-10 10:30:00;40;同单第二件
SO1004;VIP003;45366;300;Excel 序列日期
SO1005;VIP002;2024/3/20;-99.00;退货
SO1006;VIP004;2023-11-30;2,000;
SO1007;;2024-03-01;88;缺客户ID
SO1008;VIP005;2024-02-30;10;不存在的日期
SO1009;VIP005;2024-03-28;N/A;金额缺失

SO1010;VIP005;2024-03-30 18:00:00;150;
SO1011;VIP006;2023/6/1;45;
SO1012;VIP001;2024-03-31;200;
"""
write("orders_gbk.csv", GBK_ROWS.replace("\n", "\r\n").encode("gbk"))

# Excel's "CSV UTF-8": a BOM, English headers, quoted commas and a quoted line break.
BOM_ROWS = (
    "Customer ID,Order No,Order Date,Amount,Note\r\n"
    'C1,A-1,2024-01-02,"1,000.50","big, quoted"\r\n'
    'C2,A-2,03/15/2024,20,"two\r\nlines"\r\n'
    "C1,A-3,2024-02-29 23:59:59,10.25,\r\n"
    "C3,A-4,2023-12-31,0.01,\r\n"
)
write("orders_utf8_bom.csv", b"\xef\xbb\xbf" + BOM_ROWS.encode("utf-8"))

# Excel's "Unicode text": UTF-16LE with a BOM, tab-separated.
U16 = "客户ID\t订单号\t下单时间\t订单金额\r\nU1\tX1\t2024-05-01\t10\r\nU2\tX2\t2024-05-02\t20\r\nU1\tX3\t2024-05-03\t30\r\n"
write("orders_utf16.txt", b"\xff\xfe" + U16.encode("utf-16-le"))

# Headers nothing maps automatically: the user has to choose.
write("orders_unmapped.csv", "cust,when,paid,item\nK1,2024-01-01,5,a\nK2,2024-01-02,7,b\nK1,2024-01-03,9,c\n".encode())

# Inputs that must be refused with a clear message.
write("header_only.csv", "客户ID,下单时间,订单金额\n".encode())
write("empty.csv", b"")
png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
png += struct.pack(">I", zlib.crc32(png[12:29])) + b"\x00\x00\x00\x00IEND\xaeB`\x82"
write("not_a_table.csv", png)

# A workbook: a notes sheet first (empty), then the orders with real date cells.
try:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    ws = wb.create_sheet("订单明细")
    ws.append(["客户ID", "订单号", "下单时间", "订单金额"])
    ws.append(["K001", "E1", dt.datetime(2024, 6, 1, 9, 30), 120.5])
    ws.append(["K002", "E2", dt.date(2024, 6, 3), 80])
    ws.append(["K001", "E3", dt.datetime(2024, 6, 20, 21, 0), 40])
    ws.append(["K003", "E4", "2024/6/25", "1,000"])
    ws.append([10004, "E5", dt.date(2024, 6, 30), 15])
    wb.save(os.path.join(HERE, "orders.xlsx"))
except ImportError:
    print("openpyxl missing: orders.xlsx not regenerated")


# Personal data for `custlens mask` (GBK, Chinese headers): mobiles in several
# spellings, 18-digit ID numbers with valid check digits (one lower-case x) and
# a legacy 15-digit one, e-mails with sub-addresses, Luhn-valid bank cards,
# street addresses, and columns that are not personal (kept byte for byte).
def id_check(body17):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * x for d, x in zip(body17, w)) % 11]


def luhn_complete(body):
    digits = [int(d) for d in body + "0"][::-1]
    s = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
    return body + str((10 - s % 10) % 10)


def personal_fixture():
    ids = [b + id_check(b) for b in ["11010519491231002", "44030519900307123", "33010619851111456",
                                      "51010420000229789", "32010219770815246", "11010119800101888"]]
    ids = [i if not i.endswith("X") else i[:-1] + "x" for i in ids]
    cards = [luhn_complete(b) for b in ["622202123456789012", "621700000000123", "622848001122334455",
                                        "625807000012345", "601382123456789012", "622588000011112"]]
    rows = [
        ["K001", "张三", "13812345678", ids[0], "zhang.san+shop@example.com", cards[0], "广东省深圳市南山区科技园路1号", "1280.00", "金卡", "老客户"],
        ["K002", "欧阳娜娜", "+86 139 0013 9000", ids[1], "OuYang@Example.COM", cards[1][:4] + " " + cards[1][4:8] + " " + cards[1][8:12] + " " + cards[1][12:], "北京市朝阳区建国路88号", "99.5", "普通", "=1+2"],
        ["K003", "李四", "150-1234-5678", ids[2], "lisi@qq.com", cards[2], "浙江省杭州市西湖区文三路9号", "0", "银卡", ""],
        ["K004", "王五", "8618612345678", ids[3], "wang5+news@163.com", cards[3], "上海市浦东新区世纪大道100号", "35.20", "普通", "待回访"],
        ["K005", "赵六", "17700001111", ids[4], "zhao@example.org", cards[4], "江苏省南京市鼓楼区中山路5号", "2000", "钻石", "投诉过一次"],
        ["K006", "钱七", "13311112222", "110105491231002", "qian7@example.net", cards[5], "四川省成都市武侯区人民南路4段", "12.00", "普通", "-"],
        ["K007", "孙八", "18899990000", ids[5], "sun.ba@example.cn", cards[0], "湖北省武汉市洪山区珞喻路1037号", "500", "金卡", "VIP"],
        ["K008", "", "", "", "", "", "", "7", "普通", "资料不全"],
    ]
    head = ["客户编号", "姓名", "手机", "身份证号", "电子邮箱", "银行卡号", "收货地址", "消费金额", "会员等级", "备注"]
    text = "\r\n".join(",".join(r) for r in [head] + rows) + "\r\n"
    write("personal_gbk.csv", text.encode("gbk"))


personal_fixture()


# JSON Lines orders: Chinese keys in a different order per line, numbers as
# JSON numbers (one as text), a nested object, a null, a key first seen late,
# a blank line (a blank row) and a row whose amount is not a number.
JSONL_ROWS = [
    '{"客户ID": "J001", "订单号": "N1", "下单时间": "2024-04-01 10:00:00", "订单金额": 120.50, "标签": ["新客", "app"]}',
    '{"订单号": "N2", "客户ID": "J002", "订单金额": 80, "下单时间": "2024/4/3", "地址": {"省": "广东", "市": "深圳"}}',
    '{"客户ID": "J001", "订单号": "N3", "下单时间": "2024-04-20", "订单金额": "1,000", "备注": null}',
    '',
    '{"客户ID": 10004, "订单号": "N4", "下单时间": "2024-04-25", "订单金额": 15, "会员": true}',
    '{"客户ID": "J005", "订单号": "N5", "下单时间": "2024-04-26", "订单金额": "N/A", "渠道": "小程序"}',
]
write("orders.jsonl", ("\n".join(JSONL_ROWS) + "\n").encode())

# A JSON Lines file whose third line is an array, not an object.
write("bad_line.jsonl", b'{"a": 1}\n{"a": 2}\n["a", 3]\n{"a": 4}\n')

# A UTF-8 export with GBK rows appended (two exports glued together): the
# UTF-8 header and rows read correctly; the GBK rows are set aside by row.
MIXED_UTF8 = "客户ID,下单时间,订单金额,备注\nM001,2024-05-01,10,首单\nM002,2024-05-02,20,老客户\nM001,2024-05-03,30,复购\n"
MIXED_GBK = "张三,2024-05-04,40,追加\n李四,2024-05-05,50,追加\n"
write("mixed_encoding.csv", MIXED_UTF8.encode("utf-8") + MIXED_GBK.encode("gbk") + "M003,2024-05-06,60,\n".encode())

# A quote opened in row 3 and never closed.
write("unclosed_quote.csv", b'customer_id,order_time,amount,note\nA,2024-01-01,1,ok\nB,2024-01-02,2,"never closed\nC,2024-01-03,3,\nD,2024-01-04,4,\n')

# Ragged rows: one short (no amount cell), one with an extra cell.
write("ragged.csv", b"customer_id,order_time,amount\nA,2024-01-01,1\nB,2024-01-02\nC,2024-01-03,3,extra\nD,2024-01-04,4\n")


# A workbook with a two-row header (客户ID and 姓名 merged down over both rows,
# 联系方式 merged across 手机/邮箱, 消费 across 金额/合计) and formula cells:
# 合计 is =C*2; openpyxl writes formulas without a cached value, so cached
# values are patched into the sheet XML for the first two data rows and the
# third is left without one, as a file never opened in Excel would be.
def merged_header_fixture():
    import re
    import zipfile
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["客户ID", "姓名", "联系方式", None, "消费", None])
    ws.append([None, None, "手机", "邮箱", "金额", "合计"])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:B2")
    ws.merge_cells("C1:D1")
    ws.merge_cells("E1:F1")
    ws.append(["K001", "张三", "13812345678", "zs@example.com", 100, "=E3*2"])
    ws.append(["K002", "李四", "13900001111", "ls@example.com", 50, "=E4*2"])
    ws.append(["K003", "王五", "13700002222", "ww@example.com", 7, "=E5*2"])
    path = os.path.join(HERE, "merged_header.xlsx")
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = files[sheet].decode()
    for cell, value in [("F3", "200"), ("F4", "100")]:
        xml, n = re.subn(r'(<c r="%s"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?' % cell, r"\1<f>\2</f><v>%s</v>" % value, xml)
        assert n == 1, (cell, xml)
    files[sheet] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in files.items():
            z.writestr(n, data)


try:
    merged_header_fixture()
except ImportError:
    print("openpyxl missing: merged_header.xlsx not regenerated")
