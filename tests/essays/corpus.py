"""Vietnamese test essays on Conclusion 328-KL/ĐUK, written for these tests.

ORIGINAL and the four INDEPENDENT essays were written separately on the same conclusion, so they
share its vocabulary but not its sentences. COPY is ORIGINAL with its sentences reordered, the
names and the unit changed and a few words swapped: the lightly edited copy a grader must see.
"""

DOCUMENT = (
    "Ban Chấp hành Đảng bộ Khối yêu cầu các cấp ủy tiếp tục đổi mới phương thức, nâng cao chất "
    "lượng học tập, quán triệt nghị quyết của Đảng. Người đứng đầu cấp ủy phải trực tiếp quán triệt "
    "nghị quyết. Chương trình hành động phải cụ thể về nội dung, mục tiêu, giải pháp, thời gian và "
    "trách nhiệm thực hiện. Ứng dụng công nghệ thông tin trong quản lý việc học tập. Bài thu hoạch "
    "được đánh giá theo ba mức đạt, cơ bản đạt, chưa đạt."
)

ORIGINAL = {
    "understanding": (
        "Qua học tập Kết luận 328, tôi nhận thức rõ việc đổi mới phương thức học tập không chỉ là "
        "thay đổi hình thức hội nghị. Điều cốt lõi là mỗi đảng viên phải biến nghị quyết thành việc "
        "làm cụ thể ở vị trí công tác của mình. Kết luận nhấn mạnh trách nhiệm của người đứng đầu và "
        "yêu cầu chương trình hành động phải đo đếm được."
    ),
    "relation": (
        "Tại Phòng Hành chính, đồng chí Nguyễn Văn An và tôi phụ trách tiếp nhận văn bản đến. Nhiều "
        "văn bản còn bị chậm xử lý vì chưa có sổ theo dõi điện tử. Tôi thấy tinh thần của Kết luận "
        "gắn trực tiếp với việc này: học xong phải sửa được cách làm việc hằng ngày."
    ),
    "proposals": (
        "Tôi đề xuất chi bộ giao cho tổ văn thư xây dựng sổ theo dõi văn bản điện tử trong quý một. "
        "Mỗi văn bản quá hạn ba ngày sẽ được nhắc tự động tới chuyên viên phụ trách. Cuối mỗi tháng "
        "chi bộ kiểm điểm số văn bản chậm tại buổi sinh hoạt thường kỳ."
    ),
}

COPY = {
    "understanding": (
        "Kết luận nhấn mạnh trách nhiệm của người đứng đầu và yêu cầu chương trình hành động phải đo "
        "đếm được. Qua học tập Kết luận 328, tôi nhận thức rõ việc đổi mới phương thức học tập không "
        "chỉ là thay đổi hình thức hội nghị. Điều cốt lõi là mỗi đảng viên phải biến nghị quyết thành "
        "việc làm cụ thể ở vị trí công tác của mình."
    ),
    "relation": (
        "Tôi thấy tinh thần của Kết luận gắn trực tiếp với việc này: học xong phải sửa được cách làm "
        "việc hằng ngày. Tại Phòng Tổng hợp, đồng chí Trần Thị Bình và tôi phụ trách tiếp nhận văn bản "
        "đến. Nhiều văn bản còn bị chậm xử lý vì chưa có sổ theo dõi điện tử."
    ),
    "proposals": (
        "Cuối mỗi tháng chi bộ kiểm điểm số văn bản chậm tại buổi sinh hoạt thường kỳ. Tôi đề xuất chi "
        "bộ giao cho tổ văn thư xây dựng sổ theo dõi văn bản điện tử trong quý hai. Mỗi văn bản quá hạn "
        "ba ngày sẽ được nhắc tự động tới chuyên viên phụ trách."
    ),
}

INDEPENDENT = [
    {
        "understanding": (
            "Kết luận 328 chỉ ra tình trạng hội nghị học tập đông vào buổi sáng, thưa vào buổi trưa và "
            "vắng vào buổi chiều. Theo tôi, nguyên nhân sâu xa là cách tổ chức còn nặng về đọc lại văn "
            "bản, ít trao đổi, nên người nghe khó thấy liên hệ với công việc."
        ),
        "relation": (
            "Là kế toán của đơn vị, tôi thường bỏ dở buổi chiều vì phải chốt số liệu cuối kỳ. Tôi nhận "
            "ra mình cũng góp phần vào hiện tượng mà Kết luận phê phán, và cần sắp xếp lại lịch làm việc."
        ),
        "proposals": (
            "Đề nghị chi bộ bố trí học tập vào tuần đầu tháng, tránh kỳ quyết toán. Phòng kế toán sẽ phân "
            "công trực thay để mọi người dự đủ hai buổi. Tôi nhận viết tóm tắt một trang gửi các đồng chí "
            "vắng có lý do."
        ),
    },
    {
        "understanding": (
            "Điều tôi tâm đắc nhất là yêu cầu viết bài thu hoạch phải có đề xuất gắn với nhiệm vụ chính trị "
            "của đơn vị. Trước đây bài thu hoạch của tôi chủ yếu chép lại các ý lớn của nghị quyết, nay "
            "cần nghĩ về việc mình sẽ làm."
        ),
        "relation": (
            "Tôi làm công tác thanh tra dược, thường xuyên đi cơ sở. Việc học trực tuyến qua điểm cầu giúp "
            "những người đi công tác như tôi không bỏ lỡ nội dung học tập."
        ),
        "proposals": (
            "Tôi đề xuất ghi hình bài giảng của báo cáo viên để đảng viên đi cơ sở xem lại trong tuần. Đoàn "
            "thanh tra sẽ dành mười lăm phút đầu mỗi chuyến công tác để trao đổi về nội dung đã học."
        ),
    },
    {
        "understanding": (
            "Kết luận yêu cầu quản lý việc học tập bằng công nghệ. Tôi hiểu đây không phải để kiểm soát "
            "đảng viên mà để cấp ủy biết thực chất ai đã học, ai còn thiếu, từ đó có cách hỗ trợ phù hợp."
        ),
        "relation": (
            "Bộ phận công nghệ thông tin chúng tôi đang vận hành hệ thống một cửa điện tử. Kinh nghiệm triển "
            "khai ở đó có thể dùng cho việc điểm danh và lưu bài thu hoạch của chi bộ."
        ),
        "proposals": (
            "Tôi nhận hướng dẫn các đồng chí lớn tuổi cài đặt và dùng điện thoại để điểm danh. Đề nghị chi bộ "
            "giao tôi lập danh sách những người chưa có điện thoại thông minh để bí thư điểm danh hộ."
        ),
    },
    {
        "understanding": (
            "Tôi nhận thức rằng đội ngũ báo cáo viên quyết định phần lớn chất lượng buổi học. Một báo cáo viên "
            "nắm chắc thực tiễn sẽ giúp nghị quyết trở nên gần gũi hơn nhiều so với việc đọc văn bản."
        ),
        "relation": (
            "Ở nhà xuất bản, chúng tôi có nhiều biên tập viên giỏi nhưng ngại trình bày trước đông người. "
            "Tôi cũng là một trong số đó và cần tự rèn luyện kỹ năng này."
        ),
        "proposals": (
            "Đề xuất ban biên tập cử hai đồng chí tham gia lớp bồi dưỡng báo cáo viên năm nay. Tôi đăng ký "
            "trình bày thử mười phút về một chuyên đề tại buổi sinh hoạt chi bộ tháng tới."
        ),
    },
]

PLAN = [
    {
        "content": "Xây dựng sổ theo dõi văn bản điện tử",
        "objective": "Không còn văn bản quá hạn không được nhắc",
        "solution": "Dùng bảng tính dùng chung, nhắc tự động",
        "timeline": "Hết quý một",
        "responsible": "Tổ văn thư, tôi phụ trách",
    }
]
