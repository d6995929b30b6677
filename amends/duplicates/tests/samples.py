"""Complaint wordings of our own, in Russian and English, for the duplicate tests."""

RU = (
    "Заказ № 4512 от 12.03.2024 доставили с опозданием на пять дней. Курьер не позвонил заранее, "
    "коробка была мятой, а у чайника треснул корпус. Прошу заменить чайник или вернуть деньги."
)
# The same complaint re-sent by e-mail: a greeting, typos, other figures, a signature.
RU_RESENT = (
    "Здравствуйте! Заказ №4513 от 13.03.2024 доставили с опаздaнием на 5 дней. Курьер не позвонил "
    "заранее, коробка была мятой, а у чайника треснул корпус. Прошу заменить чайник или вернуть "
    "деньги. С уважением, Петров И. С."
)
# Same shop, same kind of problem, another complaint.
RU_OTHER = (
    "Заказ № 3377 привезли вовремя, но курьер был груб и отказался поднять посылку на этаж. "
    "Прошу принять меры к сотруднику службы доставки."
)
EN = (
    "I ordered a kettle (order 4512) on March 12 and it arrived five days late. The courier did not "
    "call ahead, the box was crushed and the kettle's lid is cracked. Please replace it or refund my money."
)
EN_RESENT = (
    "<p>Hello,</p><p>I ORDERED A KETTLE (ORDER XXXX) ON XX/XX/XXXX AND IT ARRIVED FIVE DAYS LATE. "
    "THE COURIER DID NOT CALL AHEAD, THE BOX WAS CRUSHED AND THE KETTLE'S LID IS CRACKED.</p>"
)
EN_OTHER = (
    "My order 3377 arrived on time but the courier was rude and refused to bring the parcel upstairs. "
    "Please take action against the delivery employee."
)
